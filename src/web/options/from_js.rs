//! Reads the JavaScript options object into [`Options`]. An unknown key or
//! a value of the wrong type is an [`Error::InvalidOption`] naming the
//! option; what spans several options is left to [`Options::validate`].

use js_sys::{Array, ArrayBuffer, Function, Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortSignal, Blob, FormData, UrlSearchParams};

use super::{invalid, Body, HeaderProvider, Options, RequestHeaders, Transport};
use crate::core::retry::RetryOptions;
use crate::error::Error;

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

const RETRY_KEYS: &[&str] = &[
    "maxAttempts",
    "initialDelayMs",
    "maxDelayMs",
    "factor",
    "jitter",
    "healthyAfterMs",
];

/// Reads and validates options from `value` (`undefined`/`null` means all
/// defaults).
pub fn parse(value: &JsValue) -> Result<Options, Error> {
    if value.is_undefined() || value.is_null() {
        return Options::default().validate();
    }
    let object = value
        .dyn_ref::<Object>()
        .filter(|_| !value.is_function() && !Array::is_array(value))
        .ok_or_else(|| invalid("options", "expected an object"))?;
    read(object)?.validate()
}

fn read(object: &Object) -> Result<Options, Error> {
    let reader = Reader { object };
    reader.reject_unknown(KNOWN, "")?;
    let defaults = Options::default();
    Ok(Options {
        transport: match reader.string("transport")?.as_deref() {
            None | Some("auto") => Transport::Auto,
            Some("fetch") => Transport::Fetch,
            Some("eventsource") => Transport::EventSource,
            Some(other) => {
                return Err(invalid(
                    "transport",
                    format!("expected \"auto\", \"fetch\" or \"eventsource\", got \"{other}\""),
                ))
            }
        },
        with_credentials: reader.bool("withCredentials")?.unwrap_or(false),
        json: reader.bool("json")?.unwrap_or(false),
        headers: headers(&reader)?,
        method: reader.string("method")?.unwrap_or(defaults.method),
        body: reader.get("body")?.map(body).transpose()?,
        signal: signal(&reader)?,
        last_event_id: reader.string("lastEventId")?.unwrap_or_default(),
        last_event_id_param: reader.string("lastEventIdParam")?,
        on_unauthorized: reader.function("onUnauthorized")?,
        retry: retry(&reader)?,
        idle_timeout_ms: match reader.number("idleTimeoutMs")? {
            None | Some(0.0) => None,
            Some(ms) => Some(milliseconds("idleTimeoutMs", ms)?),
        },
        pause_when_hidden: reader.bool("pauseWhenHidden")?.unwrap_or(false),
        max_event_size: match reader.number("maxEventSize")? {
            None => defaults.max_event_size,
            Some(n) if n >= 1.0 && n.fract() == 0.0 && n <= u32::MAX as f64 => n as usize,
            Some(_) => {
                return Err(invalid(
                    "maxEventSize",
                    "expected a whole number of bytes >= 1",
                ))
            }
        },
    })
}

fn headers(reader: &Reader<'_>) -> Result<Option<RequestHeaders>, Error> {
    let Some(value) = reader.get("headers")? else {
        return Ok(None);
    };
    if let Some(function) = value.dyn_ref::<Function>() {
        return Ok(Some(RequestHeaders {
            fixed: Vec::new(),
            provider: Some(HeaderProvider::Js(function.clone())),
        }));
    }
    let fixed = header_list(&value).map_err(|message| invalid("headers", message))?;
    Ok(Some(RequestHeaders {
        fixed,
        provider: None,
    }))
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
        list.push((name, text));
    }
    super::check_headers(&list)?;
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

fn body(value: JsValue) -> Result<Body, Error> {
    let passes_as_is = value.is_string()
        || value.is_instance_of::<UrlSearchParams>()
        || value.is_instance_of::<Blob>()
        || value.is_instance_of::<ArrayBuffer>()
        || ArrayBuffer::is_view(&value)
        || value.is_instance_of::<FormData>();
    if passes_as_is {
        return Ok(Body {
            value,
            content_type: None,
        });
    }
    if is_plain_object(&value) || Array::is_array(&value) {
        let text = JSON::stringify(&value).map_err(|e| {
            invalid(
                "body",
                format!("cannot be serialised as JSON: {}", js_message(&e)),
            )
        })?;
        return Ok(Body {
            value: text.into(),
            content_type: Some("application/json"),
        });
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
            let nested = Reader {
                object: value.unchecked_ref(),
            };
            nested.reject_unknown(RETRY_KEYS, "retry.")?;
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
    /// An error for the first key not in `known` (`prefix` names the
    /// enclosing option, e.g. `retry.`).
    fn reject_unknown(&self, known: &[&str], prefix: &str) -> Result<(), Error> {
        for key in Object::keys(self.object).iter() {
            let key = key.as_string().unwrap_or_default();
            if !known.contains(&key.as_str()) {
                return Err(invalid(
                    &format!("{prefix}{key}"),
                    format!("unknown option; known: {}", known.join(", ")),
                ));
            }
        }
        Ok(())
    }

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
