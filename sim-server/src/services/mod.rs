//! Services: the state and behaviour of the simulator. None of them knows HTTP (axum) or the
//! exchange folder; each imports only the ones below it:
//!
//! ```text
//! inquiry      one request in, whatever way it came, an answer out (handle_xml / handle_json)
//! simulator    the composition: every service below in one value, shared by every way in
//! terminal     confirmations at the 資格確認端末 (My Number card, insurance card)
//! jobs         bulk inquiry and registration (JOB-01/02), OQSsiimm01
//! history      資格確認履歴 (records, SCR-19 search, CSV, stores)
//! visiting     訪問診療等・オンライン診療等: consent cancellations (FLOW-35); visiting_inquiry answers ch.3 messages
//! accounts     利用者アカウント: login, lockout, passwords, screen sessions (ch.1)
//! notices      お知らせ (SCR-03/04)
//! recovery     after an outage: the later check (RULE-92), the emergency check (ENV-14)
//! outage       システム障害 as a fault (ENV-15), the emergency period (ENV-14)
//! visiting_check  SCR-21/22/23: the visiting inquiry made on a screen, kept (visiting_results) for SCR-23
//! reference_edit  SCR-14: a confirmation's 照会番号 registered, updated or deleted
//! prescription_retrieval  《処方箋取得》 by 引換番号 (SCR-12 / SCR-24 and the pharmacy route)
//! population, references (照会番号), journal, clock, faults, tokens (WebAPI), files, answer
//! ```

pub mod accounts;
pub mod answer;
pub mod clock;
pub mod dispensing_request;
pub mod faults;
pub mod files;
pub mod history;
pub mod inquiry;
pub mod jobs;
pub mod journal;
pub mod notices;
pub mod outage;
mod packed_texts;
pub mod population;
pub mod prescription_retrieval;
pub mod prescriptions;
pub mod recovery;
pub mod reference_edit;
pub mod references;
pub mod simulator;
pub mod terminal;
pub mod tokens;
pub mod visiting;
pub mod visiting_check;
pub mod visiting_inquiry;
pub mod visiting_list;
pub mod visiting_results;
