//! システム障害 (ch.12 §1, ENV-15): the simulator refuses every request with its outage row
//! (docs/interface.md §2.9: HTTP 503, a `.err` file, the WebAPI's 503). The client shows that
//! text and falls back as the manual says (RULE-91); it never retries in a loop.

/// Whether a rejection's text is the outage's (the `system-outage` row's message names
/// システム障害; its code is the simulator's and may be overridden).
pub(crate) fn is_outage(text: &str) -> bool {
    text.lines()
        .next()
        .is_some_and(|l| l.contains("システム障害"))
}

/// How often the retry-storm mutant sends the same request again.
pub(crate) const STORM_RETRIES: usize = 20;
