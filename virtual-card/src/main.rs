//! `oqs-vcard`: virtual My Number cards for the OQS simulator.

fn main() {
    for profile in virtual_card::Profile::ALL {
        println!(
            "{:<14} {:<18} {}",
            profile.name(),
            profile.person_key(),
            profile.description_ja()
        );
    }
}
