//! The `SSEClient` options: read from a JavaScript object and validated
//! once, at construction. An unknown key, a wrong type or a value out of
//! range is an [`Error::InvalidOption`] naming the option.

use js_sys::{Array, ArrayBuffer, Function, Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortSignal, Blob, FormData, UrlSearchParams};

use crate::core::retry::RetryOptions;
use crate::error::Error;
use crate::parser::DEFAULT_MAX_EVENT_SIZE;

/// Which transport carries the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// `fetch` + `ReadableStream`, parsed by our own parser.
    Fetch,
    /// The browser's native `EventSource`.
    EventSource,
}

/// Where request headers come from.
#[derive(Debug, Clone, Default)]
pub enum HeaderSource {
    /// No user headers.
    #[default]
    None,
    /// A fixed set, validated at construction.
    Fixed(Vec<(String, String)>),
    /// A function (sync or async) called before every attempt.
    Provider(Function),
}

/// The validated options. See the README's options table.
#[derive(Debug, Clone)]
pub struct Options {
    /// The transport the client uses (`auto` already resolved).
    pub transport: Transport,
    /// `credentials: 'include'` / EventSource `withCredentials`.
    pub with_credentials: bool,
    /// Decode each event's data with `JSON.parse`.
    pub json: bool,
    /// Request headers.
    pub headers: HeaderSource,
    /// HTTP method (fetch only).
    pub method: String,
    /// Request body (fetch only), ready for `RequestInit.body`.
    pub body: Option<JsValue>,
    /// Content type implied by the body (a JSON-serialised object).
    pub body_content_type: Option<&'static str>,
    /// The user's AbortSignal.
    pub signal: Option<AbortSignal>,
    /// The last event ID to start from.
    pub last_event_id: String,
    /// Send the last event ID as this query parameter instead of the header.
    pub last_event_id_param: Option<String>,
    /// The 401/403 hook.
    pub on_unauthorized: Option<Function>,
    /// The retry policy; `None` is `retry: false`.
    pub retry: Option<RetryOptions>,
    /// Idle watchdog in ms; `None` is off.
    pub idle_timeout_ms: Option<u32>,
    /// Disconnect while the page is hidden.
    pub pause_when_hidden: bool,
    /// Per-event size cap in bytes.
    pub max_event_size: usize,
}

const KNOWN: &[&str] = &[
    "transport",
    "withCredentials",
    "json",
    "headers",
    "method",
    "body",
    "signal",
    "lastEventId",
    "lastEventIdParam",
    "onUnauthorized",
    "retry",
    "interval",
    "idleTimeoutMs",
    "pauseWhenHidden",
    "maxEventSize",
];

const FETCH_ONLY: &[&str] = &["headers", "method", "body", "onUnauthorized"];

fn invalid(option: &str, message: impl Into<String>) -> Error {
    Error::InvalidOption {
        option: option.to_owned(),
        message: message.into(),
    }
}

/// Reads options from `value` (`undefined`/`null` means all defaults).
pub fn parse(value: &JsValue) -> Result<Options, Error> {
    if value.is_undefined() || value.is_null() {
        return parse_object(&Object::new());
    }
    let object = value
        .dyn_ref::<Object>()
        .filter(|_| !value.is_function() && !Array::is_array(value))
        .ok_or_else(|| invalid("options", "expected an object"))?;
    parse_object(object)
}

fn parse_object(object: &Object) -> Result<Options, Error> {
    let reader = Reader { object };
    for key in Object::keys(object).iter() {
        let key = key.as_string().unwrap_or_default();
        if !KNOWN.contains(&key.as_str()) {
            return Err(invalid(
                &key,
                format!("unknown option; known options: {}", KNOWN.join(", ")),
            ));
        }
    }

    let method = reader.string("method")?.unwrap_or_else(|| "GET".to_owned());
    if method.is_empty() || !method.bytes().all(is_token_byte) {
        return Err(invalid("method", "not a valid HTTP method"));
    }
    let (body, body_content_type) = match reader.get("body")? {
        Some(body) => body_init(body)?,
        None => (None, None),
    };
    if body.is_some() && (method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD"))
    {
        return Err(invalid(
            "body",
            format!("a {method} request cannot have a body; set `method: 'POST'`"),
        ));
    }

    let options = Options {
        transport: Transport::Fetch, // resolved below
        with_credentials: reader.bool("withCredentials")?.unwrap_or(false),
        json: reader.bool("json")?.unwrap_or(false),
        headers: headers(&reader)?,
        method,
        body,
        body_content_type,
        signal: signal(&reader)?,
        last_event_id: reader.string("lastEventId")?.unwrap_or_default(),
        last_event_id_param: match reader.string("lastEventIdParam")? {
            Some(name) if name.is_empty() => {
                return Err(invalid("lastEventIdParam", "must not be empty"))
            }
            other => other,
        },
        on_unauthorized: reader.function("onUnauthorized")?,
        retry: retry(&reader)?,
        idle_timeout_ms: match reader.number("idleTimeoutMs")? {
            None | Some(0.0) => None,
            Some(ms) => Some(milliseconds("idleTimeoutMs", ms)?),
        },
        pause_when_hidden: reader.bool("pauseWhenHidden")?.unwrap_or(false),
        max_event_size: match reader.number("maxEventSize")? {
            None => DEFAULT_MAX_EVENT_SIZE,
            Some(n) if n >= 1.0 && n.fract() == 0.0 && n <= u32::MAX as f64 => n as usize,
            Some(_) => {
                return Err(invalid(
                    "maxEventSize",
                    "expected a whole number of bytes >= 1",
                ))
            }
        },
    };
    let transport = transport(&reader, &options)?;
    Ok(Options {
        transport,
        ..options
    })
}

/// `auto` picks fetch when any fetch-only option is present (headers,
/// method other than GET, body, onUnauthorized) or a starting `lastEventId`
/// must go out as a header; otherwise the native EventSource.
fn transport(reader: &Reader<'_>, options: &Options) -> Result<Transport, Error> {
    let used_fetch_only = FETCH_ONLY.iter().copied().find(|key| {
        reader.get(key).ok().flatten().is_some() && !(*key == "method" && options.method == "GET")
    });
    let needs_fetch_for_id =
        !options.last_event_id.is_empty() && options.last_event_id_param.is_none();
    match reader.string("transport")?.as_deref() {
        None | Some("auto") => Ok(if used_fetch_only.is_some() || needs_fetch_for_id {
            Transport::Fetch
        } else {
            Transport::EventSource
        }),
        Some("fetch") => Ok(Transport::Fetch),
        Some("eventsource") => {
            if let Some(key) = used_fetch_only {
                return Err(invalid(
                    key,
                    "needs the fetch transport; the native EventSource cannot send it",
                ));
            }
            if needs_fetch_for_id {
                return Err(invalid(
                    "lastEventId",
                    "the native EventSource cannot send a starting Last-Event-ID header; set `lastEventIdParam` or use the fetch transport",
                ));
            }
            Ok(Transport::EventSource)
        }
        Some(other) => Err(invalid(
            "transport",
            format!("expected \"auto\", \"fetch\" or \"eventsource\", got \"{other}\""),
        )),
    }
}

fn headers(reader: &Reader<'_>) -> Result<HeaderSource, Error> {
    let Some(value) = reader.get("headers")? else {
        return Ok(HeaderSource::None);
    };
    if let Some(function) = value.dyn_ref::<Function>() {
        return Ok(HeaderSource::Provider(function.clone()));
    }
    header_list(&value)
        .map(HeaderSource::Fixed)
        .map_err(|message| invalid("headers", message))
}

/// Reads a plain object of string values into header pairs, checking that
/// each is a valid header name and a byte string.
pub fn header_list(value: &JsValue) -> Result<Vec<(String, String)>, String> {
    if !is_plain_object(value) {
        return Err(
            "expected an object of header names to string values, or a function returning one"
                .into(),
        );
    }
    let object: &Object = value.unchecked_ref();
    let mut list = Vec::new();
    for entry in Object::entries(object).iter() {
        let pair: Array = entry.unchecked_into();
        let name = pair.get(0).as_string().unwrap_or_default();
        let Some(text) = pair.get(1).as_string() else {
            return Err(format!("the value of header \"{name}\" is not a string"));
        };
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(format!("\"{name}\" is not a valid header name"));
        }
        if text
            .chars()
            .any(|c| c as u32 > 0xFF || c == '\0' || c == '\r' || c == '\n')
        {
            return Err(format!(
                "the value of header \"{name}\" has characters a header cannot carry"
            ));
        }
        list.push((name, text));
    }
    Ok(list)
}

fn signal(reader: &Reader<'_>) -> Result<Option<AbortSignal>, Error> {
    match reader.get("signal")? {
        None => Ok(None),
        Some(value) => value
            .dyn_into::<AbortSignal>()
            .map(Some)
            .map_err(|_| invalid("signal", "expected an AbortSignal")),
    }
}

fn body_init(body: JsValue) -> Result<(Option<JsValue>, Option<&'static str>), Error> {
    let passes_as_is = body.is_string()
        || body.is_instance_of::<UrlSearchParams>()
        || body.is_instance_of::<Blob>()
        || body.is_instance_of::<ArrayBuffer>()
        || ArrayBuffer::is_view(&body)
        || body.is_instance_of::<FormData>();
    if passes_as_is {
        return Ok((Some(body), None));
    }
    if is_plain_object(&body) || Array::is_array(&body) {
        let text = JSON::stringify(&body).map_err(|e| {
            invalid(
                "body",
                format!("cannot be serialised as JSON: {}", js_message(&e)),
            )
        })?;
        return Ok((Some(text.into()), Some("application/json")));
    }
    Err(invalid(
        "body",
        "expected a string, URLSearchParams, Blob, ArrayBuffer, typed array, FormData, or a plain object (sent as JSON)",
    ))
}

/// `retry: false | true | number | { ... }`, and the seed SDK's
/// `{ retry: 5, interval: 3000 }` (5 attempts, 3000 ms initial delay).
fn retry(reader: &Reader<'_>) -> Result<Option<RetryOptions>, Error> {
    let mut options = RetryOptions::default();
    let interval = reader.number("interval")?;
    match reader.get("retry")? {
        None => {}
        Some(value) if value.as_bool() == Some(false) => {
            if interval.is_some() {
                return Err(invalid("interval", "has no effect with `retry: false`"));
            }
            return Ok(None);
        }
        Some(value) if value.as_bool() == Some(true) => {}
        Some(value) if value.as_f64().is_some() => {
            // Seed form: the number of retries after the first attempt;
            // maxAttempts counts the first attempt too.
            let n = value.as_f64().unwrap_or_default();
            if n == 0.0 {
                return Ok(None);
            }
            options.max_attempts = attempts("retry", n)?.map(|retries| retries.saturating_add(1));
        }
        Some(value) if is_plain_object(&value) => {
            let object: &Object = value.unchecked_ref();
            let nested = Reader { object };
            const RETRY_KEYS: &[&str] = &[
                "maxAttempts",
                "initialDelayMs",
                "maxDelayMs",
                "factor",
                "jitter",
                "healthyAfterMs",
            ];
            for key in Object::keys(object).iter() {
                let key = key.as_string().unwrap_or_default();
                if !RETRY_KEYS.contains(&key.as_str()) {
                    return Err(invalid(
                        &format!("retry.{key}"),
                        format!("unknown option; known: {}", RETRY_KEYS.join(", ")),
                    ));
                }
            }
            if let Some(n) = nested.number_at("maxAttempts", "retry.maxAttempts")? {
                options.max_attempts = attempts("retry.maxAttempts", n)?;
            }
            if let Some(ms) = nested.number_at("initialDelayMs", "retry.initialDelayMs")? {
                if interval.is_some() {
                    return Err(invalid(
                        "interval",
                        "conflicts with `retry.initialDelayMs`; use one",
                    ));
                }
                options.initial_delay_ms = milliseconds("retry.initialDelayMs", ms)?;
            }
            match nested.number_at("maxDelayMs", "retry.maxDelayMs")? {
                Some(ms) => options.max_delay_ms = milliseconds("retry.maxDelayMs", ms)?,
                // Only the default cap: let it rise to an explicit initial delay.
                None => options.max_delay_ms = options.max_delay_ms.max(options.initial_delay_ms),
            }
            if let Some(factor) = nested.number_at("factor", "retry.factor")? {
                options.factor = factor;
            }
            if let Some(jitter) = nested.number_at("jitter", "retry.jitter")? {
                options.jitter = jitter;
            }
            if let Some(ms) = nested.number_at("healthyAfterMs", "retry.healthyAfterMs")? {
                options.healthy_after_ms = milliseconds("retry.healthyAfterMs", ms)?;
            }
        }
        Some(_) => {
            return Err(invalid(
                "retry",
                "expected false, true, a number of attempts, or an object",
            ));
        }
    }
    if let Some(ms) = interval {
        options.initial_delay_ms = milliseconds("interval", ms)?;
        options.max_delay_ms = options.max_delay_ms.max(options.initial_delay_ms);
    }
    options
        .validate()
        .map_err(|e| invalid(&format!("retry.{}", e.field), e.message))?;
    Ok(Some(options))
}

fn attempts(option: &str, n: f64) -> Result<Option<u32>, Error> {
    if n == f64::INFINITY {
        Ok(None)
    } else if n >= 1.0 && n.fract() == 0.0 && n <= u32::MAX as f64 {
        Ok(Some(n as u32))
    } else {
        Err(invalid(option, "expected a whole number >= 1 or Infinity"))
    }
}

fn milliseconds(option: &str, ms: f64) -> Result<u32, Error> {
    if ms >= 0.0 && ms.is_finite() && ms <= f64::from(i32::MAX) {
        Ok(ms.round() as u32)
    } else {
        Err(invalid(
            option,
            "expected milliseconds between 0 and 2147483647",
        ))
    }
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// True for `{...}` literals and `Object.create(null)`: what we can send as JSON.
pub fn is_plain_object(value: &JsValue) -> bool {
    if !value.is_object() || value.is_function() || Array::is_array(value) {
        return false;
    }
    let proto = Object::get_prototype_of(value);
    proto.is_null() || proto == Object::get_prototype_of(&Object::new())
}

/// The `message` of a thrown JS value, or its string form.
pub fn js_message(error: &JsValue) -> String {
    Reflect::get(error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| String::from("unknown error"))
}

/// Typed access to one options object, naming the option in every error.
struct Reader<'a> {
    object: &'a Object,
}

impl Reader<'_> {
    /// The value, `None` when missing or `undefined`.
    fn get(&self, key: &str) -> Result<Option<JsValue>, Error> {
        let value =
            Reflect::get(self.object, &key.into()).map_err(|e| invalid(key, js_message(&e)))?;
        Ok((!value.is_undefined()).then_some(value))
    }

    fn bool(&self, key: &str) -> Result<Option<bool>, Error> {
        self.get(key)?
            .map(|v| {
                v.as_bool()
                    .ok_or_else(|| invalid(key, "expected true or false"))
            })
            .transpose()
    }

    fn string(&self, key: &str) -> Result<Option<String>, Error> {
        self.get(key)?
            .map(|v| {
                v.as_string()
                    .ok_or_else(|| invalid(key, "expected a string"))
            })
            .transpose()
    }

    fn number(&self, key: &str) -> Result<Option<f64>, Error> {
        self.number_at(key, key)
    }

    fn number_at(&self, key: &str, option: &str) -> Result<Option<f64>, Error> {
        self.get(key)?
            .map(|v| {
                v.as_f64()
                    .filter(|n| !n.is_nan())
                    .ok_or_else(|| invalid(option, "expected a number"))
            })
            .transpose()
    }

    fn function(&self, key: &str) -> Result<Option<Function>, Error> {
        self.get(key)?
            .map(|v| {
                v.dyn_into::<Function>()
                    .map_err(|_| invalid(key, "expected a function"))
            })
            .transpose()
    }
}
