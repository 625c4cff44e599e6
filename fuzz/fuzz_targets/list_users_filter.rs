//! The ListUsers `Filter` parser on arbitrary text.
//!
//! Properties: it never panics; a refusal is an InvalidParameterException; whatever parses
//! is a searchable attribute, and rendering it back (`attr = "value"`, quotes and backslashes
//! escaped) parses to the same filter, with or without surrounding whitespace.

#![no_main]

use cognitod_model::ErrorCode;
use cognitod_userpools::fuzzing::parse_filter;
use libfuzzer_sys::fuzz_target;

fn render(attribute: &str, prefix: bool, value: &str) -> String {
    let op = if prefix { "^=" } else { "=" };
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
    format!("{attribute} {op} \"{escaped}\"")
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let (attribute, prefix, value) = match parse_filter(input) {
        Ok(parsed) => parsed,
        Err(e) => {
            assert_eq!(
                e.code,
                ErrorCode::InvalidParameterException,
                "{input:?}: {e}"
            );
            return;
        }
    };
    assert!(!attribute.is_empty());
    let rendered = render(&attribute, prefix, &value);
    let again = parse_filter(&rendered)
        .unwrap_or_else(|e| panic!("{input:?} parsed, its rendering {rendered:?} did not: {e}"));
    assert_eq!(
        again,
        (attribute.clone(), prefix, value.clone()),
        "{rendered:?}"
    );
    // The compact form and padded form mean the same.
    let op = if prefix { "^=" } else { "=" };
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
    let compact = format!("{attribute}{op}\"{escaped}\"");
    assert_eq!(
        parse_filter(&compact).ok(),
        Some(again.clone()),
        "{compact:?}"
    );
    let padded = format!(" \t{rendered} \n");
    assert_eq!(parse_filter(&padded).ok(), Some(again), "{padded:?}");
});
