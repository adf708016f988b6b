//! Local references, `#/components/<section>/<name>`: the one place a `$ref` is read.

use indexmap::IndexMap;
use openapiv3::ReferenceOr;

use crate::error::{join, percent_decode, unescape_token, SpecError, SpecResult};

/// A section of `components`: its key, and what one of its entries is called in errors.
pub type Section = (&'static str, &'static str);

pub const SCHEMAS: Section = ("schemas", "schema");

/// The name a local reference gives in `section` (`schemas`); `None` for a reference elsewhere.
/// A `$ref` fragment is a URI fragment (percent-encoded) holding a JSON pointer (`~`-escaped).
pub fn component_name(reference: &str, section: &str) -> Option<String> {
    let token = reference.strip_prefix("#/components/")?;
    let token = token.strip_prefix(section)?.strip_prefix('/')?;
    Some(unescape_token(&percent_decode(token)))
}

/// The entry of `section` (`entries`) that `reference`, found at `pointer`, names.
pub fn component<'a, T>(
    entries: Option<&'a IndexMap<String, ReferenceOr<T>>>,
    reference: &str,
    (section, what): Section,
    pointer: &str,
) -> SpecResult<(String, &'a ReferenceOr<T>)> {
    let Some(name) = component_name(reference, section) else {
        let other = reference.strip_prefix("#/components/");
        let other = other.and_then(|r| r.split('/').next());
        let message = match other {
            Some(other) => format!("`{reference}` is in components/{other}, not {section}"),
            None => format!("cannot resolve `{reference}`"),
        };
        let hint = format!("a reference must be local (`#/...`) and land on a {what}");
        return Err(SpecError::at(join(pointer, "$ref"), message).with_hint(hint));
    };
    let Some(entry) = entries.and_then(|e| e.get(&name)) else {
        let hint = format!("add `{name}` under components/{section} or fix the reference");
        return Err(missing(reference, what, pointer).with_hint(hint));
    };
    Ok((name, entry))
}

/// `item`, or the entry of `section` its reference names (which must not be a reference).
pub fn resolve<'a, T>(
    item: &'a ReferenceOr<T>,
    entries: Option<&'a IndexMap<String, ReferenceOr<T>>>,
    (section, what): Section,
    pointer: &str,
) -> SpecResult<&'a T> {
    let reference = match item {
        ReferenceOr::Item(item) => return Ok(item),
        ReferenceOr::Reference { reference } => reference,
    };
    match component(entries, reference, (section, what), pointer)? {
        (_, ReferenceOr::Item(item)) => Ok(item),
        (name, ReferenceOr::Reference { .. }) => Err(missing(reference, what, pointer)
            .with_hint(format!("components/{section}/{name} is a reference itself"))),
    }
}

fn missing(reference: &str, what: &str, pointer: &str) -> SpecError {
    let message = format!("`{reference}` points at no {what}");
    SpecError::at(join(pointer, "$ref"), message)
}
