// requires-uses: basic_credentials
//! HTTP basic credentials (RFC 7617), for documents whose security scheme asks for them.

/// The `Authorization` value for `username` and `password`: `Basic ` and their base64.
pub(crate) fn basic_credentials(username: &str, password: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = format!("{username}:{password}").into_bytes();
    let mut out = String::from("Basic ");
    for chunk in bytes.chunks(3) {
        let group = chunk
            .iter()
            .enumerate()
            .fold(0u32, |g, (i, b)| g | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            match i <= chunk.len() {
                true => out.push(ALPHABET[((group >> (18 - 6 * i)) & 63) as usize] as char),
                false => out.push('='),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::basic_credentials;

    #[test]
    fn credentials_are_base64_with_padding() {
        // RFC 7617's example, and the three lengths a last group can have.
        assert_eq!(
            basic_credentials("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(basic_credentials("a", "b"), "Basic YTpi");
        assert_eq!(basic_credentials("ab", "c"), "Basic YWI6Yw==");
        assert_eq!(basic_credentials("ab", "cd"), "Basic YWI6Y2Q=");
        assert_eq!(basic_credentials("", "pässwörd"), "Basic OnDDpHNzd8O2cmQ=");
    }
}
