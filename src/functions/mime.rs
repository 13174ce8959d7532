//! `mime::*`: between file extensions and media types, for codecs and HTTP headers.

use super::{FnDecl, FnError, NativeFn, Registry};
use crate::event::FnCtx;
use crate::value::Value;

/// `(extension, media type)`; the first row for a media type is its usual extension.
const TABLE: &[(&str, &str)] = &[
    ("json", "application/json"),
    ("ndjson", "application/x-ndjson"),
    ("jsonl", "application/x-ndjson"),
    ("yaml", "application/yaml"),
    ("yml", "application/yaml"),
    ("toml", "application/toml"),
    ("xml", "application/xml"),
    ("msgpack", "application/msgpack"),
    ("bin", "application/octet-stream"),
    ("gz", "application/gzip"),
    ("zip", "application/zip"),
    ("tar", "application/x-tar"),
    ("pdf", "application/pdf"),
    ("js", "text/javascript"),
    ("wasm", "application/wasm"),
    ("txt", "text/plain"),
    ("log", "text/plain"),
    ("csv", "text/csv"),
    ("tsv", "text/tab-separated-values"),
    ("html", "text/html"),
    ("htm", "text/html"),
    ("css", "text/css"),
    ("md", "text/markdown"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("svg", "image/svg+xml"),
    ("webp", "image/webp"),
    ("ico", "image/vnd.microsoft.icon"),
    ("mp3", "audio/mpeg"),
    ("wav", "audio/wav"),
    ("mp4", "video/mp4"),
    ("webm", "video/webm"),
    ("proto", "application/x-protobuf"),
];

fn extension_to_mime(_: &FnCtx, a: &[&Value]) -> Result<Value, FnError> {
    let ext = a[0].as_str().ok_or(FnError::BadType)?;
    // Accept `json`, `.json` and `JSON` alike: callers pass what a file name ends with.
    let ext = ext.strip_prefix('.').unwrap_or(ext);
    Ok(TABLE
        .iter()
        .find(|(e, _)| e.eq_ignore_ascii_case(ext))
        .map_or(Value::Null, |(_, m)| Value::from(*m)))
}

fn mime_to_extension(_: &FnCtx, a: &[&Value]) -> Result<Value, FnError> {
    let mime = a[0].as_str().ok_or(FnError::BadType)?;
    // Parameters such as `; charset=utf-8` do not change the extension.
    let essence = mime.split(';').next().unwrap_or_default().trim();
    Ok(TABLE
        .iter()
        .find(|(_, m)| m.eq_ignore_ascii_case(essence))
        .map_or(Value::Null, |(e, _)| Value::from(*e)))
}

const fn decl(
    name: &'static str,
    doc: &'static str,
    examples: &'static [(&'static str, &'static str)],
    f: NativeFn,
) -> FnDecl {
    FnDecl::pure("mime", name, 1..=1, doc, examples, f)
}

/// Registers the `mime` natives.
pub fn register(r: &mut Registry) {
    for d in [
        decl(
            "extension_to_mime",
            "The media type for a file extension, or null when unknown.",
            &[
                (r#"["json"]"#, r#""application/json""#),
                (r#"[".PNG"]"#, r#""image/png""#),
                (r#"["snot"]"#, "null"),
            ],
            extension_to_mime,
        ),
        decl(
            "mime_to_extension",
            "The usual file extension for a media type, or null when unknown.",
            &[
                (r#"["text/plain; charset=utf-8"]"#, r#""txt""#),
                (r#"["application/yaml"]"#, r#""yaml""#),
                (r#"["x/y"]"#, "null"),
            ],
            mime_to_extension,
        ),
    ] {
        r.add(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_media_type_maps_back_to_an_extension_of_it() {
        let ctx = FnCtx::default();
        for (_, m) in TABLE {
            let ext = mime_to_extension(&ctx, &[&Value::from(*m)]).unwrap();
            let back = extension_to_mime(&ctx, &[&ext]).unwrap();
            assert_eq!(back.as_str(), Some(*m));
        }
    }

    #[test]
    fn non_strings_are_bad_types() {
        let ctx = FnCtx::default();
        assert_eq!(
            extension_to_mime(&ctx, &[&Value::I64(1)]),
            Err(FnError::BadType)
        );
    }
}
