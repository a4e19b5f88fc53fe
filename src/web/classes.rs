//! Hands the runtime's JavaScript classes to the npm entry, which re-exports
//! them: the generated glue imports the runtime snippet under a hashed path,
//! so this is the one stable way to reach the very same class objects.

use wasm_bindgen::prelude::*;

use super::sys;

/// The `SSEError` class (every error this library throws or reports is one).
#[wasm_bindgen(js_name = sseErrorClass, skip_typescript)]
pub fn sse_error_class() -> JsValue {
    sys::SSE_ERROR_CLASS.with(JsValue::clone)
}

/// The `SSEEvent` class (the second argument of every handler).
#[wasm_bindgen(js_name = sseEventClass, skip_typescript)]
pub fn sse_event_class() -> JsValue {
    sys::SSE_EVENT_CLASS.with(JsValue::clone)
}
