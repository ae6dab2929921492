//! The one leniency Open Baton's parser allows that Archipel keeps: a trailing comma in an array.
//!
//! Open Baton reads descriptors with Gson in lenient mode, which takes `[a, b,]` as `[a, b, null]`
//! and then ignores the null; the thesis's own SIPp NSD (Appendix C) relies on it after its
//! `auto_scale_policy` list. Archipel accepts exactly that case and drops the element Gson would
//! have made null. Everything else Gson's lenient mode tolerates (a trailing comma in an object,
//! `[,]`, comments, single quotes, unquoted names) stays a syntax error reported with its line and
//! column by serde_json.

/// Returns `json` with every comma that directly precedes a `]` (whitespace aside) and follows a
/// value replaced by a space, so that byte offsets, hence serde_json's line and column numbers,
/// stay those of the original document.
pub(crate) fn blank_trailing_array_commas(json: &[u8]) -> Vec<u8> {
    let mut out = json.to_vec();
    let mut in_string = false;
    let mut escaped = false;
    // The last byte outside strings and whitespace, and where the last candidate comma is.
    let mut last = 0u8;
    let mut pending_comma = None;
    for (at, &byte) in json.iter().enumerate() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => {
                    in_string = false;
                    last = byte;
                }
                _ => {}
            }
            continue;
        }
        match byte {
            b' ' | b'\t' | b'\n' | b'\r' => continue,
            b',' if !matches!(last, b'[' | b'{' | b',' | b':' | 0) => pending_comma = Some(at),
            b']' => {
                if let Some(comma) = pending_comma {
                    out[comma] = b' ';
                }
                pending_comma = None;
            }
            b'"' => {
                in_string = true;
                pending_comma = None;
            }
            _ => pending_comma = None,
        }
        last = byte;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::blank_trailing_array_commas as blank;

    fn blanked(json: &str) -> String {
        String::from_utf8(blank(json.as_bytes())).unwrap()
    }

    #[test]
    fn trailing_array_comma_becomes_a_space() {
        assert_eq!(blanked("[1, 2,]"), "[1, 2 ]");
        assert_eq!(blanked("[{\"a\": 1},\n  ]"), "[{\"a\": 1} \n  ]");
        assert_eq!(blanked("[[1,],]"), "[[1 ] ]");
    }

    #[test]
    fn everything_else_is_left_alone() {
        for json in [
            "{\"a\": 1,}",
            "[,]",
            "[1,,]",
            "[1, 2]",
            "{\"a\": \"x,]\"}",
            "[\"\\\",]\"]",
            "{\"a\":,]",
        ] {
            assert_eq!(blanked(json), json, "{json}");
        }
    }

    #[test]
    fn blanking_keeps_the_length() {
        let json = "[\"é\",\n]";
        assert_eq!(blank(json.as_bytes()).len(), json.len());
    }
}
