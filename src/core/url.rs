//! Setting the last-event-ID query parameter without touching anything else
//! in the URL the user gave (`lastEventIdParam`).
//!
//! `URL.searchParams.set` would re-serialise the whole query as a form
//! (`flag` becomes `flag=`, `%20` becomes `+`), which breaks signed URLs and
//! servers that read the query literally. This edits the query text instead:
//! every `name=...` pair is removed and one `name=<value>` is appended, both
//! percent-encoded; the rest of the query, and its order, stay as given.

/// `url` with its query parameter `name` set to `value`. The fragment is
/// dropped (it never reaches the server anyway).
pub fn with_query_param(url: &str, name: &str, value: &str) -> String {
    let without_fragment = url.split_once('#').map_or(url, |(before, _)| before);
    let (base, query) = without_fragment
        .split_once('?')
        .unwrap_or((without_fragment, ""));
    let encoded_name = percent_encode(name);

    let mut out = String::with_capacity(url.len() + name.len() + value.len() * 3 + 2);
    out.push_str(base);
    out.push('?');
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let key = pair.split_once('=').map_or(pair, |(key, _)| key);
        if key == encoded_name || key == name {
            continue;
        }
        out.push_str(pair);
        out.push('&');
    }
    out.push_str(&encoded_name);
    out.push('=');
    out.push_str(&percent_encode(value));
    out
}

/// Percent-encodes everything but RFC 3986's unreserved characters, as
/// `encodeURIComponent` does (less its `!'()*`), byte by byte of UTF-8.
fn percent_encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 15)] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::with_query_param;

    #[test]
    fn appends_to_a_url_without_a_query() {
        assert_eq!(
            with_query_param("https://h/s", "lastEventId", "42"),
            "https://h/s?lastEventId=42"
        );
    }

    #[test]
    fn keeps_the_rest_of_the_query_byte_for_byte() {
        assert_eq!(
            with_query_param("https://h/s?flag&sig=a%20b%2Fc%7E&x=1+2", "lei", "7"),
            "https://h/s?flag&sig=a%20b%2Fc%7E&x=1+2&lei=7"
        );
    }

    #[test]
    fn replaces_every_earlier_value_of_the_parameter() {
        assert_eq!(
            with_query_param("https://h/s?lei=1&a=b&lei=2", "lei", "3"),
            "https://h/s?a=b&lei=3"
        );
        assert_eq!(
            with_query_param("https://h/s?lei&a=b", "lei", "3"),
            "https://h/s?a=b&lei=3"
        );
    }

    #[test]
    fn encodes_the_value_as_utf8_percent_escapes() {
        assert_eq!(
            with_query_param("https://h/s", "id", "日本 é&=#+"),
            "https://h/s?id=%E6%97%A5%E6%9C%AC%20%C3%A9%26%3D%23%2B"
        );
    }

    #[test]
    fn drops_the_fragment() {
        assert_eq!(
            with_query_param("https://h/s?a=1#frag", "id", "2"),
            "https://h/s?a=1&id=2"
        );
    }

    #[test]
    fn does_not_confuse_a_longer_name() {
        assert_eq!(
            with_query_param("https://h/s?idx=1", "id", "2"),
            "https://h/s?idx=1&id=2"
        );
    }
}
