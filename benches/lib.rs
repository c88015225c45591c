//! # oqs-benches
//!
//! Helpers shared by the criterion benchmarks (`benches/inquiry.rs`): generated populations with
//! their memory footprint (estimated and measured as resident-set growth), and precomputed
//! searches and requests for generated cards, so that the timed loops do no setup work.
//!
//! Run: `cargo bench -p oqs-benches -- --warm-up-time 1 --measurement-time 3`.

use chrono::NaiveDate;
use oqs_domain::generator::{generate, generated_card};
use oqs_domain::judgement::CardSearch;
use oqs_domain::Population;
use oqs_protocol::message::{
    format_date, InsurerNumber, RequestHeader, SearchInfo, SingleInquiryRequest,
};

/// サンプル医療機関, the facility every benchmark request comes from.
pub const FACILITY: &str = "1234567890";

/// The resident set size of this process in bytes (`VmRSS` of `/proc/self/status`); `None`
/// where that file does not exist (anything but Linux) or cannot be read.
pub fn rss_bytes() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .as_deref()
            .and_then(parse_vm_rss)
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// Reads the `VmRSS:   12345 kB` line of a `/proc/<pid>/status` text, in bytes.
pub fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let mut parts = line["VmRSS:".len()..].split_whitespace();
    let value: u64 = parts.next()?.parse().ok()?;
    match parts.next() {
        Some("kB") | None => Some(value * 1024),
        Some(_) => None,
    }
}

/// How much memory a generated population holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PopulationMemory {
    pub persons: usize,
    /// `Population::approximate_bytes()` (inline + heap, allocator slack ignored).
    pub approximate_bytes: usize,
    /// Growth of the resident set while generating, when it can be measured.
    pub rss_growth_bytes: Option<u64>,
}

impl PopulationMemory {
    /// Estimated bytes per person.
    pub fn estimated_per_person(&self) -> f64 {
        self.approximate_bytes as f64 / self.persons.max(1) as f64
    }

    /// Measured (RSS growth) bytes per person.
    pub fn rss_per_person(&self) -> Option<f64> {
        self.rss_growth_bytes
            .map(|b| b as f64 / self.persons.max(1) as f64)
    }

    /// One line for the bench log.
    pub fn report(&self) -> String {
        let rss = match (self.rss_growth_bytes, self.rss_per_person()) {
            (Some(total), Some(per)) => format!(
                "RSS growth {:.1} MiB = {per:.0} bytes/person",
                total as f64 / (1024.0 * 1024.0)
            ),
            _ => "RSS growth not measurable on this platform".to_owned(),
        };
        format!(
            "population of {} persons: estimated {:.1} MiB = {:.0} bytes/person; {rss}",
            self.persons,
            self.approximate_bytes as f64 / (1024.0 * 1024.0),
            self.estimated_per_person()
        )
    }
}

/// Generates `count` persons (seeded) into a fresh population and measures what it costs.
/// The RSS figure is only meaningful when nothing else allocates meanwhile (a bench's setup).
pub fn generate_measured(count: u32, seed: u64) -> (Population, PopulationMemory) {
    let before = rss_bytes();
    let mut pop = Population::new();
    generate(&mut pop, count, seed);
    let after = rss_bytes();
    let memory = PopulationMemory {
        persons: pop.person_count(),
        approximate_bytes: pop.approximate_bytes(),
        rss_growth_bytes: before.zip(after).map(|(b, a)| a.saturating_sub(b)),
    };
    (pop, memory)
}

/// A generated card with its holder's birth date, owned so a `CardSearch` can borrow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedSearch {
    pub insurer: InsurerNumber,
    pub symbol: String,
    pub number: String,
    pub branch: String,
    pub birthdate: NaiveDate,
}

impl OwnedSearch {
    /// The search of generated person `i` in `pop` (built by `generate` on an empty population).
    pub fn generated(pop: &Population, i: u32) -> Option<Self> {
        let (insurer, symbol, number, branch) = generated_card(i);
        let q = pop.find_qualification(insurer, Some(&symbol), &number, Some(&branch))?;
        let birthdate = pop.person(pop.qualification(q).person).birthdate;
        Some(OwnedSearch {
            insurer,
            symbol,
            number,
            branch,
            birthdate,
        })
    }

    pub fn as_search(&self) -> CardSearch<'_> {
        CardSearch {
            insurer: self.insurer,
            symbol: Some(&self.symbol),
            number: &self.number,
            branch: Some(&self.branch),
            birthdate: self.birthdate,
        }
    }

    /// The same card as an OQSsiquc01req for `date`, without 限度額 consent.
    pub fn request(&self, date: NaiveDate) -> SingleInquiryRequest {
        SingleInquiryRequest {
            header: RequestHeader {
                qualification_confirmation_date: Some(format_date(date)),
                medical_institution_code: Some(FACILITY.to_owned()),
                arbitrary_file_identifier: None,
                character_code_identifier: None,
            },
            search: SearchInfo {
                insurer_number: Some(self.insurer.wire()),
                insured_card_symbol: Some(self.symbol.clone()),
                insured_identification_number: Some(self.number.clone()),
                insured_branch_number: Some(self.branch.clone()),
                birthdate: Some(format_date(self.birthdate)),
                limit_application_certificate_related_cons_flg: Some("0".to_owned()),
                arbitrary_identifier: None,
            },
        }
    }
}

/// `n` searches for generated persons spread over the whole population (a multiplicative
/// stride, so consecutive lookups hit unrelated parts of the index).
pub fn spread_searches(pop: &Population, persons: u32, n: usize) -> Vec<OwnedSearch> {
    let total = u64::from(persons.max(1));
    (0..n as u64)
        .filter_map(|j| {
            let i = (j.wrapping_mul(2_654_435_761) % total) as u32;
            OwnedSearch::generated(pop, i)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use oqs_domain::judgement::{judge, Outcome};

    #[test]
    fn parses_vm_rss() {
        let status = "Name:\tx\nVmPeak:\t  9000 kB\nVmRSS:\t   1234 kB\nThreads:\t1\n";
        assert_eq!(parse_vm_rss(status), Some(1234 * 1024));
        assert_eq!(parse_vm_rss("Name:\tx\n"), None);
        assert_eq!(parse_vm_rss("VmRSS:\tlots kB\n"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn rss_is_readable_on_linux() {
        assert!(rss_bytes().is_some_and(|b| b > 0));
    }

    /// The population stays compact: at most 1 KiB per generated person (estimated).
    #[test]
    fn generated_population_is_at_most_1_kib_per_person() {
        const PERSONS: u32 = 100_000;
        let (pop, memory) = generate_measured(PERSONS, 1);
        assert_eq!(memory.persons, PERSONS as usize);
        assert_eq!(pop.person_count(), PERSONS as usize);
        assert!(
            memory.approximate_bytes / memory.persons <= 1024,
            "{}",
            memory.report()
        );
    }

    /// `load/driver.rs` (the load driver of `memory.sh`) builds its requests from a small
    /// generation and sends them to a server that generated many more: the persons of a smaller
    /// generation with the same seed are the first ones of a larger one, cards and birth dates.
    #[test]
    fn a_smaller_generation_is_the_start_of_a_larger_one() {
        let (small, _) = generate_measured(1_000, 1);
        let (large, _) = generate_measured(3_000, 1);
        for i in 0..1_000 {
            let s = OwnedSearch::generated(&small, i);
            assert!(s.is_some(), "person {i}");
            assert_eq!(s, OwnedSearch::generated(&large, i), "person {i}");
        }
    }

    #[test]
    fn spread_searches_find_their_persons() {
        let (pop, _) = generate_measured(5_000, 1);
        let searches = spread_searches(&pop, 5_000, 64);
        assert_eq!(searches.len(), 64);
        let date = NaiveDate::from_ymd_opt(2021, 1, 6).expect("valid date");
        for s in &searches {
            assert!(
                matches!(judge(&pop, &s.as_search(), date), Outcome::Single(..)),
                "{s:?}"
            );
        }
    }
}
