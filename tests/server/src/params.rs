//! Query-string parameters and the 400 answer for bad ones.

use std::str::FromStr;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Decoded query parameters of one request, in order of appearance.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Decodes a raw query string (`a=1&b=x%20y`; `+` means space).
    pub fn parse(query: Option<&str>) -> Self {
        let pairs = form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Params(pairs)
    }

    /// The first value given for `name`, if any.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A boolean flag: present and not `0`/`false` (so `hold`, `hold=1`,
    /// `hold=true` all switch it on).
    pub fn flag(&self, name: &str) -> bool {
        matches!(self.get(name), Some(v) if v != "0" && v != "false")
    }

    /// A number, or `None` when absent; a value that does not parse is a
    /// 400, so a typo in a test URL fails loudly instead of being ignored.
    pub fn num<T: FromStr>(&self, name: &str) -> Result<Option<T>, BadRequest> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => {
                v.trim().parse().map(Some).map_err(|_| {
                    BadRequest(format!("parameter {name}={v:?} is not a valid number"))
                })
            }
        }
    }

    /// A number with a default.
    pub fn num_or<T: FromStr>(&self, name: &str, default: T) -> Result<T, BadRequest> {
        Ok(self.num(name)?.unwrap_or(default))
    }

    /// A duration given in milliseconds, with a default; 0 stays 0.
    pub fn millis_or(&self, name: &str, default_ms: u64) -> Result<Duration, BadRequest> {
        Ok(Duration::from_millis(self.num_or(name, default_ms)?))
    }

    /// The `tag` parameter that selects the statistics bucket ("" if none).
    pub fn tag(&self) -> &str {
        self.get("tag").unwrap_or("")
    }
}

/// A request the server cannot honour: answered with 400 and the message.
#[derive(Debug)]
pub struct BadRequest(pub String);

impl IntoResponse for BadRequest {
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, self.0).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_reads_values() {
        let p = Params::parse(Some("a=x%20y&b=+&hold&n=12&off=0&a=second"));
        assert_eq!(p.get("a"), Some("x y"));
        assert_eq!(p.get("b"), Some(" "));
        assert!(p.flag("hold"));
        assert!(!p.flag("off"));
        assert!(!p.flag("missing"));
        assert_eq!(p.num::<u64>("n").unwrap(), Some(12));
        assert!(p.num::<u64>("a").is_err());
        assert_eq!(p.tag(), "");
    }
}
