//! No function of an emitted crate takes more than [`MAX_POSITIONAL`] positional parameters
//! (`self` aside), or two integers of one type: past that, call sites stop reading as prose,
//! and two integers (a try number and a map index) swap unnoticed. Two strings may stay: a
//! swapped id finds nothing, where a swapped number finds another object.

use syn::{ImplItem, Item, Signature, TraitItem};

pub const MAX_POSITIONAL: usize = 7;

/// `path: name(...)` for every function in the Rust files among `files` (path, text) that
/// takes more than [`MAX_POSITIONAL`] or two integers of one type; a file that does not parse
/// is named too.
pub fn unclear<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<String> {
    let mut found = Vec::new();
    for (path, text) in files {
        if !path.ends_with(".rs") {
            continue;
        }
        match syn::parse_file(text) {
            Ok(file) => items(path, &file.items, &mut found),
            Err(e) => found.push(format!("{path}: does not parse ({e})")),
        }
    }
    found
}

fn items(path: &str, items: &[Item], found: &mut Vec<String>) {
    for item in items {
        match item {
            Item::Fn(f) => check(path, &f.sig, found),
            Item::Impl(i) => i.items.iter().for_each(|member| {
                if let ImplItem::Fn(f) = member {
                    check(path, &f.sig, found);
                }
            }),
            Item::Trait(t) => t.items.iter().for_each(|member| {
                if let TraitItem::Fn(f) = member {
                    check(path, &f.sig, found);
                }
            }),
            Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    self::items(path, inner, found);
                }
            }
            _ => {}
        }
    }
}

fn check(path: &str, sig: &Signature, found: &mut Vec<String>) {
    let positional = sig
        .inputs
        .iter()
        .filter(|input| matches!(input, syn::FnArg::Typed(_)))
        .count();
    if positional > MAX_POSITIONAL {
        found.push(format!("{path}: {}({positional} parameters)", sig.ident));
    }
    let mut integers: Vec<String> = sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Typed(t) => match &*t.ty {
                syn::Type::Path(p) => p.path.get_ident().map(|i| i.to_string()),
                _ => None,
            },
            syn::FnArg::Receiver(_) => None,
        })
        .filter(|t| INTEGERS.contains(&t.as_str()))
        .collect();
    integers.sort();
    if let Some(pair) = integers.windows(2).find(|w| w[0] == w[1]) {
        found.push(format!(
            "{path}: {}(two `{}` parameters)",
            sig.ident, pair[0]
        ));
    }
}

const INTEGERS: &[&str] = &[
    "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
];

/// The files below `dir` as (path relative to `dir`, text).
pub fn read_tree(dir: &std::path::Path) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        let entries = std::fs::read_dir(&next).map_err(|e| format!("{}: {e}", next.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "target") {
                    pending.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                let relative = path.strip_prefix(dir).unwrap_or(&path);
                out.push((relative.display().to_string(), text));
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::unclear;

    #[test]
    fn counts_positional_parameters_in_every_kind_of_function() {
        let text = "fn seven(a: X, b: Y, c: X, d: Y, e: X, f: Y, g: X) {}
            impl X { fn eight(&self, a: X, b: X, c: X, d: X, e: X, f: X, g: X, h: X) {} }
            trait T { fn nine(a: X, b: X, c: X, d: X, e: X, f: X, g: X, h: X, i: X); }
            mod inner { fn also_eight(a: X, b: X, c: X, d: X, e: X, f: X, g: X, h: X) {} }";
        let found = unclear([("lib.rs", text), ("README.md", "fn x(")]);
        assert_eq!(
            found,
            [
                "lib.rs: eight(8 parameters)",
                "lib.rs: nine(9 parameters)",
                "lib.rs: also_eight(8 parameters)"
            ]
        );
    }

    #[test]
    fn finds_two_integers_of_one_type() {
        let text = "impl A { fn tries(&self, id: &str, try_number: i64, map_index: i64) {} }
            fn mixed(a: i32, b: i64, c: MapIndex, d: MapIndex) {}";
        assert_eq!(
            unclear([("lib.rs", text)]),
            ["lib.rs: tries(two `i64` parameters)"]
        );
    }
}
