//! Rust names, decided once: case conversion, keyword escaping and collision resolution.

use std::collections::BTreeSet;

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// Methods the emitted types have already: constructors, and those the derives and the prelude
/// give every type. An operation or setter of the same name would clash with one or shadow it
/// (a setter `clone` would hide `Clone::clone`, one `default` `Default::default`).
pub const METHODS: &str = "new clone clone_from default eq ne fmt into to_owned";

/// Names that would shadow what emitted code uses unqualified.
const RESERVED_TYPES: &[&str] = &[
    "Option", "Result", "Vec", "String", "Box", "Some", "None", "Ok", "Err", "Self",
];

/// The prelude's traits, which a type of the name would shadow in its module (`integer_id!(From,
/// ..)` broke `impl From<..>`); an enum's value may be named so.
const PRELUDE_TRAITS: &str = "From Into TryFrom TryInto Default Clone Copy Send Sync Sized \
    Unpin Drop Fn FnMut FnOnce Iterator IntoIterator Extend FromIterator ToString ToOwned \
    PartialEq Eq PartialOrd Ord AsRef AsMut";

/// Replaces what cannot appear in an identifier, keeping word boundaries; a value with
/// nothing else left is named by [`symbol_name`].
fn words(raw: &str, fallback: &str) -> String {
    let mapped = raw.replace(|c: char| !c.is_ascii_alphanumeric(), " ");
    match mapped.trim() {
        "" => symbol_name(raw, fallback),
        words => words.to_string(),
    }
}

/// `snake_case` for fields, functions and modules; never empty, never a bare keyword.
pub fn snake(raw: &str) -> String {
    let mut name = words(raw, "value").to_snake_case();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("_{name}");
    }
    // Keywords stay as they are (the emitter makes them raw), but for those that cannot be raw.
    if NOT_RAW.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// A name for where raw identifiers cannot go (file stems): `mod` becomes `mod_`, so an
/// operation's file never meets its tag's `mod.rs`.
pub fn unraw(name: &str) -> String {
    format!("{name}{}", if is_keyword(name) { "_" } else { "" })
}

/// Whether `name` is a Rust keyword: the emitter writes it as a raw identifier (`r#type`).
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// `UpperCamelCase` for types and variants.
pub fn camel(raw: &str) -> String {
    let mut name = words(raw, "Value").to_upper_camel_case();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("V{name}");
    }
    // `BoxType`, not `Box_`: names built on it (`BoxTypeAmount`) stay in camel case.
    if KEYWORDS.contains(&name.as_str()) || RESERVED_TYPES.contains(&name.as_str()) {
        name.push_str("Type");
    }
    name
}

/// A type's name: [`camel`], and no prelude trait's.
pub fn type_name(raw: &str) -> String {
    let name = camel(raw);
    match PRELUDE_TRAITS.split_whitespace().any(|t| t == name) {
        true => format!("{name}Type"),
        false => name,
    }
}

/// `SHOUTY_CASE` for associated constants.
pub fn constant(raw: &str) -> String {
    camel(raw).to_shouty_snake_case()
}

/// How punctuation is spelt in names of values made only of it (`*/*`, `+`): each char, its word.
const SYMBOLS: &str =
    "*star +plus -minus .dot /slash ~tilde <lt >gt =eq !not @at #hash %percent &and |or ^caret $dollar";

/// Names for values made only of punctuation, so enums stay readable.
fn symbol_name(raw: &str, fallback: &str) -> String {
    let spell = |c: char| SYMBOLS.split(' ').find_map(|entry| entry.strip_prefix(c));
    let spelled: Vec<&str> = raw.chars().filter_map(spell).collect();
    match (spelled.is_empty(), raw.is_empty()) {
        (false, _) => spelled.join(" "),
        (true, true) => format!("{fallback} empty"),
        (true, false) => fallback.to_string(),
    }
}

/// The longest name handed out, so a file stem (in snake case, up to twice as long) fits 255 bytes.
const MAX_NAME: usize = 100;

/// Hands out names unique within one namespace, suffixing `2`, `3`, ... on collision.
/// Comparison ignores case and underscores, so names that differ only there (which would
/// clash as file names or after serde's rename) also get a suffix.
#[derive(Debug, Default)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    /// A namespace in which `names` are taken already.
    pub fn reserving<'n>(names: impl IntoIterator<Item = &'n str>) -> Self {
        let taken = names.into_iter().map(Self::key).collect();
        Namespace { taken }
    }

    pub fn is_free(&self, name: &str) -> bool {
        !self.taken.contains(&Self::key(name))
    }

    pub fn unique(&mut self, name: String) -> String {
        let name: String = name.chars().take(MAX_NAME).collect();
        if self.taken.insert(Self::key(&name)) {
            return name;
        }
        let base = name.trim_end_matches('_');
        // `V2` then `V2_2`, not `V22`.
        let digit = base.ends_with(|c: char| c.is_ascii_digit());
        let separator = if digit { "_" } else { "" };
        // The first free candidate, taken.
        let mut candidates = (2..).map(|n| format!("{base}{separator}{n}"));
        let free = candidates.find(|candidate| self.taken.insert(Self::key(candidate)));
        free.expect("the suffixes do not run out")
    }

    fn key(name: &str) -> String {
        name.replace('_', "").to_ascii_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_and_keywords() {
        assert_eq!(snake("dag_run_id"), "dag_run_id");
        assert_eq!(snake("type"), "type");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("2fa"), "_2fa");
        assert_eq!(snake("Run After Gte"), "run_after_gte");
        assert_eq!(
            camel("BulkBody_BulkTaskInstanceBody_"),
            "BulkBodyBulkTaskInstanceBody"
        );
        assert_eq!(camel("HTTPExceptionResponse"), "HttpExceptionResponse");
        assert_eq!(camel("application/x-ndjson"), "ApplicationXNdjson");
        assert_eq!(camel("*/*"), "StarSlashStar");
        assert_eq!(camel("up_for_retry"), "UpForRetry");
        assert_eq!(camel("Self"), "SelfType");
        assert_eq!(camel("Option"), "OptionType");
        assert_eq!(camel("3d"), "V3d");
        assert_eq!(camel(""), "ValueEmpty");
    }

    #[test]
    fn namespace_suffixes_collisions() {
        let mut ns = Namespace::default();
        assert_eq!(ns.unique("FooBar".into()), "FooBar");
        assert_eq!(ns.unique("FooBar".into()), "FooBar2");
        assert_eq!(ns.unique("Foobar".into()), "Foobar3");
        assert_eq!(ns.unique("foo_bar".into()), "foo_bar4");
        assert_eq!(ns.unique("V2".into()), "V2");
        assert_eq!(ns.unique("V2".into()), "V2_2");
        // Names become file stems: a long one is cut, and a second of that start suffixed.
        let long = "a".repeat(300);
        assert_eq!(ns.unique(long.clone()), "a".repeat(100));
        assert_eq!(ns.unique(long), format!("{}2", "a".repeat(100)));
    }
}
