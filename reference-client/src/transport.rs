//! The ways the reference client reaches the simulator.

/// How the client reaches the simulator for XML messages (My Number checks always use the
/// terminal's HTTP routes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// The file exchange folder (`req/` → `res/`).
    Exchange,
    /// `POST /xml/{message-id}`.
    Http,
    /// Single inquiries through the WebAPI JSON mirror (auth + search); the messages the
    /// WebAPI does not carry (bulk, 照会番号) over XML/HTTP.
    WebApi,
}

impl Transport {
    pub fn name(self) -> &'static str {
        match self {
            Transport::Exchange => "exchange",
            Transport::Http => "http",
            Transport::WebApi => "webapi",
        }
    }

    pub fn parse(s: &str) -> Option<Transport> {
        match s {
            "exchange" => Some(Transport::Exchange),
            "http" => Some(Transport::Http),
            "webapi" => Some(Transport::WebApi),
            _ => None,
        }
    }
}
