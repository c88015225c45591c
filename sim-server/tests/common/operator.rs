//! An operator's browser without script, over HTTP against the real binary: cookies kept by
//! hand, redirects followed by hand, forms posted with the page's CSRF token.

use std::collections::BTreeMap;

pub struct Operator {
    pub base: String,
    client: reqwest::Client,
    cookies: Jar,
}

/// A browser's cookies: sent with every request, kept or removed by each `Set-Cookie`.
#[derive(Default)]
pub struct Jar(BTreeMap<String, String>);

impl Jar {
    /// The `Cookie` header to send.
    pub fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Whether the browser holds cookie `name`.
    pub fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// Keeps one `Set-Cookie` value (an empty value removes the cookie); returns its attributes.
    pub fn keep<'a>(&mut self, set_cookie: &'a str) -> &'a str {
        let (kv, attrs) = set_cookie.split_once(';').unwrap_or((set_cookie, ""));
        if let Some((k, val)) = kv.split_once('=') {
            if val.is_empty() {
                self.0.remove(k);
            } else {
                self.0.insert(k.into(), val.into());
            }
        }
        attrs
    }
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    /// The value of the first hidden `csrf` field.
    pub fn csrf(&self) -> String {
        let key = r#"name="csrf" value=""#;
        let i = self
            .body
            .find(key)
            .unwrap_or_else(|| panic!("no form: {}", self.body));
        let rest = &self.body[i + key.len()..];
        rest[..rest.find('"').expect("closing quote")].to_owned()
    }
    pub fn has(&self, s: &str) -> bool {
        self.body.contains(s)
    }
    /// The `data-dialog` id of the page's dialog.
    pub fn dialog(&self) -> Option<String> {
        let key = r#"data-dialog=""#;
        let i = self.body.find(key)?;
        let rest = &self.body[i + key.len()..];
        Some(rest[..rest.find('"')?].to_owned())
    }
    /// The text of the first element with this `id` (tags stripped).
    pub fn text_of(&self, id: &str) -> Option<String> {
        let i = self.body.find(&format!(r#"id="{id}""#))?;
        let rest = &self.body[i..];
        let start = rest.find('>')? + 1;
        let end = rest[start..].find("</")? + start;
        Some(rest[start..end].to_owned())
    }
    /// The hidden fields of the form whose button has `data-button="{label}"`.
    pub fn button_form(&self, label: &str) -> Vec<(String, String)> {
        let b = self
            .body
            .find(&format!(r#"data-button="{label}""#))
            .unwrap_or_else(|| panic!("no button {label}: {}", self.body));
        let start = self.body[..b]
            .rfind("<form")
            .expect("a form around the button");
        hidden_fields(&self.body[start..b])
    }
}

/// Every `<input type="hidden" name=… value=…>` in `html`.
pub fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for part in html.split("<input").skip(1) {
        let tag = &part[..part.find('>').unwrap_or(part.len())];
        if !tag.contains(r#"type="hidden""#) {
            continue;
        }
        let attr = |n: &str| {
            let k = format!(r#"{n}=""#);
            tag.find(&k).map(|i| {
                let r = &tag[i + k.len()..];
                unescape(&r[..r.find('"').unwrap_or(r.len())])
            })
        };
        if let (Some(n), Some(v)) = (attr("name"), attr("value")) {
            out.push((n, v));
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

impl Operator {
    pub fn new(addr: &str) -> Self {
        Operator {
            base: format!("http://{addr}"),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookies: Jar::default(),
        }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let res = req
            .header("Cookie", self.cookies.header())
            .send()
            .await
            .expect("request");
        for v in res.headers().get_all("set-cookie") {
            self.cookies.keep(v.to_str().expect("ascii cookie"));
        }
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let location = headers
            .get("location")
            .map(|v| v.to_str().expect("ascii location").to_owned());
        let body = res.text().await.expect("body");
        Page {
            status,
            location,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let r = self.client.get(format!("{}{path}", self.base));
        let p = self.send(r).await;
        self.follow(p).await
    }

    /// Posts a form (the CSRF token is added from `csrf`) and follows redirects.
    pub async fn post(&mut self, path: &str, csrf: &str, fields: &[(&str, &str)]) -> Page {
        let mut all: Vec<(&str, &str)> = vec![("csrf", csrf)];
        all.extend_from_slice(fields);
        let body = serde_urlencoded::to_string(&all).expect("form");
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body);
        let p = self.send(r).await;
        self.follow(p).await
    }

    /// Posts a `multipart/form-data` form with the CSRF token and one file, follows redirects.
    pub async fn post_file(&mut self, path: &str, csrf: &str, name: &str, bytes: &[u8]) -> Page {
        self.post_multipart(path, csrf, &[], Some((name, bytes)))
            .await
    }

    /// Posts a `multipart/form-data` form: the CSRF token, text fields and an optional file (a
    /// file input left empty is sent as a part with no name and no bytes, as browsers do).
    pub async fn post_multipart(
        &mut self,
        path: &str,
        csrf: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> Page {
        let b = "----oqs-test-boundary-7d1f";
        let part = |name: &str| format!("--{b}\r\nContent-Disposition: form-data; name=\"{name}\"");
        let mut body = Vec::new();
        for (k, v) in std::iter::once(&("csrf", csrf)).chain(fields) {
            body.extend_from_slice(format!("{}\r\n\r\n{v}\r\n", part(k)).as_bytes());
        }
        let (name, bytes) = file.unwrap_or(("", &[]));
        body.extend_from_slice(
            format!(
                "{}; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
                part("file")
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header("Content-Type", format!("multipart/form-data; boundary={b}"))
            .body(body);
        let p = self.send(r).await;
        self.follow(p).await
    }

    /// Presses the dialog button `label` of `page` (a form button: its hidden fields are sent).
    pub async fn press(&mut self, page: &Page, label: &str) -> Page {
        let fields = page.button_form(label);
        let b = page
            .body
            .find(&format!(r#"data-button="{label}""#))
            .expect("button");
        let start = page.body[..b].rfind("<form").expect("form");
        let tag = &page.body[start..];
        let k = r#"action=""#;
        let i = tag.find(k).expect("action");
        let action = tag[i + k.len()..][..tag[i + k.len()..].find('"').expect("quote")].to_owned();
        let body = serde_urlencoded::to_string(&fields).expect("form");
        let r = self
            .client
            .post(format!("{}{action}", self.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body);
        let p = self.send(r).await;
        self.follow(p).await
    }

    async fn follow(&mut self, mut p: Page) -> Page {
        while matches!(p.status, 301 | 302 | 303 | 307) {
            let to = p.location.clone().expect("location");
            let r = self.client.get(format!("{}{to}", self.base));
            p = self.send(r).await;
        }
        p
    }

    /// Logs in (SCR-02) and lands on SCR-03.
    pub async fn login(&mut self, user: &str, password: &str) -> Page {
        let form = self.get("/login").await;
        let csrf = form.csrf();
        self.post(
            "/login",
            &csrf,
            &[("user_id", user), ("password", password)],
        )
        .await
    }

    /// The `Cookie` header this browser sends (for a download read as bytes).
    pub fn cookie_header(&self) -> String {
        self.cookies.header()
    }

    /// The admin API (JSON).
    pub async fn admin(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let r = self
            .client
            .request(m, format!("{}{path}", self.base))
            .header("Content-Type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .expect("admin");
        let s = r.status().as_u16();
        (s, r.text().await.expect("text"))
    }
}
