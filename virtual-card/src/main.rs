//! `oqs-vcard`: virtual My Number cards for the OQS simulator.
//!
//! `oqs-vcard profiles` lists the cards; `oqs-vcard insert --profile valid` presents one to
//! pcscd through vpcd and serves it in the foreground; `reset-pin` clears a card's saved PIN
//! counter; `cert` prints its certificate.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use virtual_card::state::state_file;
use virtual_card::vpcd::{self, Session};
use virtual_card::{issue, Profile};

#[derive(Parser)]
#[command(
    name = "oqs-vcard",
    version,
    about = "Virtual My Number cards (JPKI) for the OQS simulator"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct CardArgs {
    /// Card profile (see `oqs-vcard profiles`).
    #[arg(long)]
    profile: Profile,
    /// Seed of the keys and certificates (same seed, same card).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// 資格確認日 the certificate validity is computed from (YYYY-MM-DD); default today (JST).
    /// Use the simulator's date (its `--now`) so expired / expiring-soon mean the same there.
    #[arg(long)]
    date: Option<NaiveDate>,
}

#[derive(Subcommand)]
enum Command {
    /// List the profiles.
    Profiles,
    /// Insert a card into vpcd's virtual reader and serve it until interrupted.
    Insert {
        #[command(flatten)]
        card: CardArgs,
        /// vpcd address (port 35963 = "Virtual PCD 00 00", 35964 = "Virtual PCD 00 01").
        #[arg(long, default_value = vpcd::DEFAULT_VPCD)]
        vpcd: String,
        /// Directory of the PIN state files (a locked card stays locked across restarts).
        #[arg(long, default_value = "oqs-vcard-state")]
        state_dir: PathBuf,
        /// Keep the PIN counter in memory only.
        #[arg(long)]
        no_state: bool,
    },
    /// Forget a card's saved PIN counter: back to the profile's issued state.
    ResetPin {
        #[arg(long)]
        profile: Profile,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value = "oqs-vcard-state")]
        state_dir: PathBuf,
    },
    /// Print the card's certificate (PEM); `--ca` prints the CA certificate.
    Cert {
        #[command(flatten)]
        card: CardArgs,
        #[arg(long)]
        ca: bool,
    },
}

fn today_jst() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("oqs-vcard: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Profiles => {
            println!(
                "{:<14} {:<18} {:<14} description",
                "profile", "person", "catalogue"
            );
            for p in Profile::ALL {
                println!(
                    "{:<14} {:<18} {:<14} {} / {}",
                    p.name(),
                    p.person_key(),
                    p.catalogue_ids().join(","),
                    p.description_ja(),
                    p.description_en()
                );
            }
            Ok(())
        }
        Command::Cert { card, ca } => {
            let date = card.date.unwrap_or_else(today_jst);
            let (_, issued) = issue(card.profile, card.seed, date).map_err(|e| e.to_string())?;
            let der = if ca {
                issued.ca_der
            } else {
                issued.certificate_der
            };
            let config = pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF);
            print!(
                "{}",
                pem::encode_config(&pem::Pem::new("CERTIFICATE", der), config)
            );
            Ok(())
        }
        Command::ResetPin {
            profile,
            seed,
            state_dir,
        } => {
            let path = state_file(&state_dir, profile.name(), seed);
            match std::fs::remove_file(&path) {
                Ok(()) => println!("{}: PIN state reset ({} removed)", profile, path.display()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    println!("{profile}: no saved PIN state ({})", path.display())
                }
                Err(e) => return Err(format!("{}: {e}", path.display())),
            }
            Ok(())
        }
        Command::Insert {
            card,
            vpcd,
            state_dir,
            no_state,
        } => {
            let date = card.date.unwrap_or_else(today_jst);
            let (mut virtual_card, issued) =
                issue(card.profile, card.seed, date).map_err(|e| e.to_string())?;
            if !no_state {
                let path = state_file(&state_dir, card.profile.name(), card.seed);
                virtual_card = virtual_card.with_state_file(path.clone());
                println!("PIN state: {}", path.display());
            }
            println!(
                "card {} for {} (serial {}, valid {} .. {}, PIN tries left {}) on vpcd {}",
                issued.profile,
                issued.person_key,
                issued.serial,
                issued.not_before,
                issued.not_after,
                virtual_card.auth_tries_left(),
                vpcd
            );
            let stop = AtomicBool::new(false);
            let mut waiting_reported = false;
            vpcd::serve(
                &mut virtual_card,
                &vpcd,
                Duration::from_millis(500),
                &stop,
                |event| match event {
                    Session::NotConnected(e) => {
                        if !waiting_reported {
                            eprintln!("waiting for vpcd at {vpcd} ({e}); is pcscd running?");
                            waiting_reported = true;
                        }
                    }
                    Session::Ended(e) => {
                        eprintln!("vpcd link dropped ({e}); reconnecting");
                        waiting_reported = false;
                    }
                },
            );
            Ok(())
        }
    }
}
