//! 処方箋取得 by 引換番号 (FLOW-17, SCR-12; the simulator's own route, docs/interface.md §2.7):
//! `POST {http}/pharmacy/prescriptions/retrieve`; 200 is the prescription XML (saved as its
//! attachment name), a refusal is `{"error": text}` with the manual's reason (RULE-25..28,
//! ENV-04/05), shown verbatim. The 引換番号 is sent exactly as the patient gave it.

use crate::{wire, Client, Mutant};
use oqs_adapter_protocol::{InsuranceCard, PrescriptionConclusion};

/// What the mutant that invents refusal texts shows.
const MADE_UP_REFUSAL: &str = "処方箋を取得できませんでした。";

impl Client {
    pub fn retrieve_prescription(
        &mut self,
        card: &InsuranceCard,
        exchange_number: &str,
    ) -> Result<PrescriptionConclusion, String> {
        let number = if self.is(Mutant::PrescriptionNumberUnpadded) {
            // Taken for a number: leading zeros lost.
            exchange_number.trim().trim_start_matches('0').to_owned()
        } else if self.is(Mutant::PrescriptionNumberNormalized) {
            // Full-width digits (０..９) made half-width, as an over-helpful input field would.
            exchange_number
                .trim()
                .chars()
                .map(|c| match c {
                    '０'..='９' => {
                        char::from_u32(c as u32 - 0xFF10 + u32::from(b'0')).unwrap_or(c)
                    }
                    _ => c,
                })
                .collect()
        } else {
            exchange_number.trim().to_owned()
        };
        let body = serde_json::json!({
            "facility": self.facility(),
            "insurer": card.insurer_number.trim(),
            "symbol": card.symbol.as_deref().unwrap_or(""),
            "number": card.number.trim(),
            "branch": card.branch.as_deref().unwrap_or(""),
            "birthdate": card.birthdate.trim(),
            "exchange_number": number,
        });
        let url = format!("{}/pharmacy/prescriptions/retrieve", self.base_url());
        let res = self
            .http()?
            .post(&url)
            .json(&body)
            .send()
            .map_err(|e| format!("POST {url}: {e}"))?;
        let status = res.status();
        let name = res
            .headers()
            .get(reqwest::header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split("filename=\"").nth(1))
            .map(|v| v.trim_end_matches('"').to_owned());
        let bytes = res.bytes().map_err(|e| format!("POST {url}: {e}"))?;
        if status.is_success() {
            let root = wire::parse(&bytes).map_err(|e| format!("POST {url}: {e}"))?;
            let info = root
                .child("MessageBody")
                .and_then(|b| b.child("PrescriptionInfo"));
            let refill = info.and_then(|i| i.child_text("RefillFlag")) == Some("1");
            if refill && self.is(Mutant::RefillAlwaysRefused) {
                // The mutant drops every refill prescription, whatever ENV-05 says.
                return Ok(PrescriptionConclusion {
                    retrieved: false,
                    message: Some(MADE_UP_REFUSAL.into()),
                    ..PrescriptionConclusion::default()
                });
            }
            return Ok(PrescriptionConclusion {
                retrieved: true,
                exchange_number: info
                    .and_then(|i| i.child_text("ExchangeNumber"))
                    .map(|n| n.trim().to_owned()),
                message: None,
                files: name.into_iter().collect(),
            });
        }
        if !status.is_client_error() {
            return Err(format!(
                "POST {url}: HTTP {status}: {}",
                String::from_utf8_lossy(&bytes)
            ));
        }
        let text = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
            .unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned());
        let refused_already = status == reqwest::StatusCode::CONFLICT;
        Ok(PrescriptionConclusion {
            retrieved: refused_already && self.is(Mutant::PrescriptionRefusalAsRetrieved),
            exchange_number: None,
            message: Some(if self.is(Mutant::PrescriptionInventedRefusal) {
                MADE_UP_REFUSAL.into()
            } else {
                text
            }),
            files: Vec::new(),
        })
    }
}
