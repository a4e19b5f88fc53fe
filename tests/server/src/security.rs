//! Endpoints for the security suite: a redirect, to reach the second origin
//! (`--peer-port-file`) or come back to this one, and a cookie to set.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use crate::params::BadRequest;
use crate::scenarios::header_value;
use crate::stats::Ctx;

/// `/redirect?to=URL&status=302`: answers `status` (301, 302, 303, 307 or
/// 308) with `Location: URL` and no body.
pub async fn redirect(Extension(ctx): Extension<Ctx>) -> Result<Response, BadRequest> {
    let p = &ctx.params;
    let to = p
        .get("to")
        .ok_or_else(|| BadRequest("/redirect needs to=URL".into()))?;
    let code: u16 = p.num_or("status", 302)?;
    if !matches!(code, 301 | 302 | 303 | 307 | 308) {
        return Err(BadRequest(format!("status={code} is not a redirect")));
    }
    let status = StatusCode::from_u16(code).expect("a redirect status is valid");
    let location = header_value("to", to)?;
    Ok((status, [(header::LOCATION, location)]).into_response())
}

/// `/set-cookie?name=N&value=V&same_site=Lax`: `204` with
/// `Set-Cookie: N=V; Path=/; SameSite=Lax`.
pub async fn set_cookie(Extension(ctx): Extension<Ctx>) -> Result<Response, BadRequest> {
    let p = &ctx.params;
    let name = p
        .get("name")
        .filter(|n| !n.is_empty())
        .ok_or_else(|| BadRequest("/set-cookie needs name=NAME".into()))?;
    let cookie = format!(
        "{name}={}; Path=/; SameSite={}",
        p.get("value").unwrap_or(""),
        p.get("same_site").unwrap_or("Lax")
    );
    let cookie = header_value("cookie", &cookie)?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}
