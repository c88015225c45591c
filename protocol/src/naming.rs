//! Message ids and file names of the file exchange (interface.md §2).

/// The message ids the simulator knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageId {
    /// Single qualification inquiry request.
    SingleInquiryRequest,
    /// Single qualification inquiry result.
    SingleInquiryResponse,
}

impl MessageId {
    pub const ALL: &'static [MessageId] = &[
        MessageId::SingleInquiryRequest,
        MessageId::SingleInquiryResponse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageId::SingleInquiryRequest => "OQSsiquc01req",
            MessageId::SingleInquiryResponse => "OQSsiquc01res",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        MessageId::ALL.iter().copied().find(|m| m.as_str() == s)
    }

    /// The result message of a request message.
    pub fn response(self) -> Option<MessageId> {
        match self {
            MessageId::SingleInquiryRequest => Some(MessageId::SingleInquiryResponse),
            MessageId::SingleInquiryResponse => None,
        }
    }
}

/// A request file name split into its parts: `<message id>_<id>.xml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFileName {
    /// The message-id part as written (may be unknown to the simulator).
    pub message: String,
    /// Everything between the first `_` and `.xml`.
    pub id: String,
}

/// Why a file name is not a request name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("file name \"{name}\": {reason}")]
pub struct FileNameError {
    pub name: String,
    pub reason: String,
}

/// Longest id part accepted in a file name.
pub const MAX_FILE_ID_CHARS: usize = 100;

impl RequestFileName {
    pub fn parse(name: &str) -> Result<Self, FileNameError> {
        let err = |reason: &str| FileNameError {
            name: name.to_owned(),
            reason: reason.to_owned(),
        };
        let stem = name
            .strip_suffix(".xml")
            .ok_or_else(|| err("does not end in .xml"))?;
        let (message, id) = stem
            .split_once('_')
            .ok_or_else(|| err("has no '_' between message id and id"))?;
        if !message.ends_with("req") {
            return Err(err("message id does not end in \"req\""));
        }
        if id.is_empty() || id.chars().count() > MAX_FILE_ID_CHARS {
            return Err(err("id part is empty or longer than 100 characters"));
        }
        Ok(RequestFileName {
            message: message.to_owned(),
            id: id.to_owned(),
        })
    }

    /// The result file name: the same name with `req` replaced by `res`.
    pub fn response_name(&self) -> String {
        let base = self.message.strip_suffix("req").unwrap_or(&self.message);
        format!("{base}res_{}.xml", self.id)
    }

    /// Name of the rejection file: `<request base name>.err`.
    pub fn error_name(request_file_name: &str) -> String {
        let base = request_file_name
            .strip_suffix(".xml")
            .unwrap_or(request_file_name);
        format!("{base}.err")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_and_response_names() {
        let n = RequestFileName::parse("OQSsiquc01req_20210106100000_001.xml").unwrap();
        assert_eq!(n.message, "OQSsiquc01req");
        assert_eq!(n.id, "20210106100000_001");
        assert_eq!(n.response_name(), "OQSsiquc01res_20210106100000_001.xml");
        assert_eq!(
            MessageId::parse(&n.message),
            Some(MessageId::SingleInquiryRequest)
        );
        assert_eq!(
            RequestFileName::error_name("OQSsiquc01req_x.xml"),
            "OQSsiquc01req_x.err"
        );
        assert!(RequestFileName::parse("OQSsiquc01req_x.txt").is_err());
        assert!(RequestFileName::parse("OQSsiquc01res_x.xml").is_err());
        assert!(RequestFileName::parse("OQSsiquc01req.xml").is_err());
    }
}
