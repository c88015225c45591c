//! # oqs-domain
//!
//! The simulated population and the manual's rules, with no I/O: fixtures are parsed from
//! text, the clock is a parameter (`now`), and the result of an inquiry is a value of
//! `oqs-protocol`. Transports live in `sim-server`.

pub mod assistance;
pub mod consent;
pub mod dispensing;
pub mod display;
pub mod fixture_values;
pub mod fixtures;
pub mod generator;
pub mod inquiry;
pub mod judgement;
pub mod model;
pub mod outage;
pub mod password;
pub mod prescription;
pub mod prescription_record;
pub mod visiting;
pub mod visiting_fixtures;
pub mod visiting_inquiry;
pub mod wareki;

pub use model::Population;

/// The built-in population's fixture text (every person of sample-population.md).
pub const BUILTIN_FIXTURE: &str = include_str!("../fixtures/builtin.toml");

/// The built-in population.
pub fn builtin_population() -> Population {
    let mut p = Population::new();
    // The embedded fixture is checked by the unit test below; a failure here is a build defect.
    if let Err(e) = fixtures::load_into(&mut p, "builtin.toml", BUILTIN_FIXTURE) {
        panic!("embedded fixture is invalid: {e}");
    }
    p
}

#[cfg(test)]
mod tests {
    #[test]
    fn builtin_population_loads_with_everyone() {
        let p = super::builtin_population();
        for key in [
            "shimbashi-taro",
            "shimbashi-hanako",
            "shimbashi-ichiro",
            "shimbashi-jiro",
            "gentekii-ichiro",
            "kouki-jiro",
            "shikaku-sanbu",
            "shikaku-jurokuro",
            "shikaku-tomi",
            "senin-funako",
            "yamada-ritsuko",
            "miyazaki-ichita",
            "tohoku-ichiro",
        ] {
            assert!(p.person_by_key(key).is_some(), "{key} missing");
        }
    }
}
