//! A browser on the trainer's tray (`/__tray`) of the real binary: its own page's Origin and
//! CSRF token, no redirects followed (the tests look at them).

use super::launch::Server;
use serde_json::Value;

/// A browser on the tray: no redirects followed, the page's own Origin and CSRF token.
pub struct Tray {
    pub base: String,
    pub http: reqwest::Client,
    pub csrf: String,
    pub cookie: Option<String>,
}

impl Tray {
    pub async fn open(server: &Server) -> Tray {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let mut t = Tray {
            base: format!("http://{}", server.addr),
            http,
            csrf: String::new(),
            cookie: None,
        };
        let page = t.page("").await;
        t.csrf = csrf_of(&page);
        t
    }

    pub async fn page(&self, query: &str) -> String {
        let mut r = self.http.get(format!("{}/__tray{query}", self.base));
        if let Some(c) = &self.cookie {
            r = r.header("cookie", c);
        }
        let r = r.send().await.expect("GET /__tray");
        assert_eq!(r.status(), 200);
        r.text().await.expect("page")
    }

    /// Posts a tray form; answers (status, Location).
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let mut form: Vec<(&str, &str)> = vec![("csrf", &self.csrf)];
        form.extend_from_slice(fields);
        let mut r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("origin", &self.base)
            .form(&form);
        if let Some(c) = &self.cookie {
            r = r.header("cookie", c);
        }
        let r = r.send().await.expect("POST");
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        (r.status().as_u16(), location)
    }

    /// Posts a form that must succeed (303 back to the tray).
    pub async fn act(&self, path: &str, fields: &[(&str, &str)]) -> String {
        let (status, location) = self.post(path, fields).await;
        assert_eq!(status, 303, "{path} {fields:?}");
        assert!(location.starts_with("/__tray?done="), "{location}");
        location
    }

    pub async fn get_json(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET")
            .json()
            .await
            .expect("json")
    }

    /// A My Number check as the terminal route answers it.
    pub async fn check(&self, body: Value) -> Value {
        let r = self
            .http
            .post(format!("{}/terminal/mynumber", self.base))
            .json(&body)
            .send()
            .await
            .expect("check");
        assert_eq!(r.status(), 200);
        r.json().await.expect("json")
    }
}

pub fn csrf_of(page: &str) -> String {
    let at = page
        .find("name=\"csrf\" value=\"")
        .unwrap_or_else(|| panic!("no csrf field in {page}"));
    page[at + 19..at + 19 + 32].to_owned()
}
