//! Token streams into Rust source. prettyplease lays the code out; a blank line then goes
//! between items, and between the members of an `impl` or `trait` block, as a person leaves
//! one, so a diff of the emitted crate reads like a diff of hand-written code. Runs of `use`
//! items and `mod` declarations stay together.

use proc_macro2::TokenStream;
use syn::Item;

use crate::error::{SpecError, SpecResult};

/// Prints one file. `pointer` names the part of the document the code came from, for the
/// error a generator bug would give.
pub fn file(tokens: TokenStream, pointer: &str) -> SpecResult<String> {
    let bug = |what: String| {
        let message = format!("the code emitted for this part of the document {what}");
        let hint = "this is a generator bug; please report it with the document";
        SpecError::at(pointer, message).with_hint(hint)
    };
    let file: syn::File = syn::parse2(tokens).map_err(|e| bug(format!("does not parse ({e})")))?;
    // prettyplease panics on syntax it cannot print (verbatim items); that must surface as an
    // error naming the place, not abort the run.
    let unparse = |attrs: Vec<syn::Attribute>, items: Vec<Item>| {
        std::panic::catch_unwind(|| {
            prettyplease::unparse(&syn::File {
                shebang: None,
                attrs,
                items,
            })
        })
        .map_err(|_| bug("cannot be printed".into()))
    };
    let mut out = String::new();
    if !file.attrs.is_empty() {
        out.push_str(&unparse(file.attrs, Vec::new())?);
    }
    let mut after_declaration = false;
    for item in file.items {
        // `use` items and `mod name;` lines read best as one block.
        let is_declaration = matches!(
            &item,
            Item::Use(_) | Item::Mod(syn::ItemMod { content: None, .. })
        );
        let together = after_declaration && is_declaration;
        if !out.is_empty() && !together {
            out.push('\n');
        }
        let members = matches!(item, Item::Impl(_) | Item::Trait(_));
        let text = join_short_chains(&unparse(Vec::new(), vec![item])?);
        let text = if members { space_members(&text) } else { text };
        out.push_str(&text);
        after_declaration = is_declaration;
    }
    Ok(out)
}

/// A blank line between the members of a printed `impl` or `trait` block. Its members' lines
/// are the ones indented once; a member ends on such a line that is `}` or ends with `;` or `{}`
/// (other lines at that depth continue a long signature). One-line macro calls (the
/// `setter!` lines) stay together, as a table. The emitter writes no string literal with a
/// line break in it, so no line inside a literal can look like one.
fn space_members(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 256);
    let mut member_ended = false;
    let mut after_macro_line = false;
    for line in join_wrapped_calls(text) {
        let line = line.as_str();
        let member_line = is_member_line(line);
        let code = line.trim_start();
        let macro_line = member_line && code.contains("!(") && code.ends_with(");");
        if member_line && member_ended && !(after_macro_line && macro_line) {
            out.push('\n');
        }
        match macro_line {
            true => out.push_str(&tidy_macro_call(line)),
            false => out.push_str(line),
        }
        out.push('\n');
        let ends = code == "}" || code.ends_with(';') || code.ends_with("{}");
        member_ended = member_line && !code.starts_with("//") && ends;
        after_macro_line = macro_line;
    }
    out
}

/// One call on a short receiver that prettyplease broke at each `.`, joined back as rustfmt
/// has it: `let request = self.client.request(`, the arguments one indent in.
fn join_short_chains(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < lines.len() {
        out.push_str(lines[i]);
        let Some((call, close)) = short_chain(&lines[i..]) else {
            out.push('\n');
            i += 1;
            continue;
        };
        out.extend(lines[i + 1..=i + call].iter().map(|link| link.trim_start()));
        out.push('\n');
        for line in &lines[i + call + 1..=i + close] {
            out.push_str(&line[4..]);
            out.push('\n');
        }
        i += close + 1;
    }
    out
}

/// For a chain that starts at `lines[0]` (`let request = self`), goes on with fields one indent
/// in (`.client`), and ends in one call (`.request(`, its arguments, `);`): the offsets of the
/// call and of its closing line; `None` for any other chain, or when the joined line is too wide.
fn short_chain(lines: &[&str]) -> Option<(usize, usize)> {
    fn link<'a>(line: &'a str, step: &str) -> Option<&'a str> {
        line.strip_prefix(step)?.strip_prefix('.')
    }
    let is_name = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_');
    let indent = lines[0].len() - lines[0].trim_start().len();
    let receiver = lines[0].rsplit(' ').next();
    receiver.filter(|receiver| is_name(receiver))?;
    let step = " ".repeat(indent + 4);
    let links = lines[1..].iter().map(|l| link(l, &step));
    let call = 1 + links.take_while(|l| l.is_some_and(is_name)).count();
    link(lines.get(call)?, &step)?.strip_suffix('(')?;
    let inner = format!("{step}    ");
    let body = lines[call + 1..].iter();
    let close = call + 1 + body.take_while(|l| l.starts_with(&inner)).count();
    let closing = lines.get(close)?.strip_prefix(&step);
    let closes = matches!(closing, Some(")" | ");" | "),"));
    let next = lines.get(close + 1);
    let goes_on = next.is_some_and(|l| link(l, &step).is_some());
    let called = lines[..=call].iter().map(|l| l.trim_start().len());
    let width = indent + called.sum::<usize>();
    (closes && !goes_on && width <= 100).then_some((call, close))
}

fn is_member_line(line: &str) -> bool {
    line.starts_with("    ") && !line.starts_with("     ")
}

/// A member macro call prettyplease wrapped at its margin, joined back: a `setter!` call is
/// a row of the table and reads best whole.
fn join_wrapped_calls(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut open = false;
    for line in text.lines() {
        match lines.last_mut() {
            Some(call) if open => {
                let code = line.trim();
                open = code != ");";
                let gap = open && !call.ends_with('(');
                call.push_str(&format!("{}{code}", if gap { " " } else { "" }));
            }
            _ => {
                open = is_member_line(line) && line.ends_with("!(");
                lines.push(line.into());
            }
        }
    }
    lines
}

/// A one-line macro call as a person writes it: prettyplease spaces the tokens of a macro's
/// input evenly (`text id : Vec < String >`), since it cannot know their grammar.
fn tidy_macro_call(line: &str) -> String {
    line.replace(" : ", ": ")
        .replace("crate ::", "crate::")
        .replace(" < ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
}

#[cfg(test)]
mod tests {
    use quote::quote;

    #[test]
    fn items_and_members_are_separated_by_one_blank_line() {
        let text = super::file(
            quote! {
                //! Module docs.
                use a::B;
                use c::D;
                mod e;
                pub use e::E;
                /// A struct.
                pub struct S { a: i32, b: i32 }
                impl S {
                    /// Docs that end with a semicolon;
                    /// and go on.
                    const N: usize = 1;
                    pub fn long_signature(&self, first_argument: i64, second_argument: i64, third: i64) -> i64 {
                        let x = 1;
                        x
                    }
                    fn short(&self) {}
                    setter!(value at: chrono::DateTime<chrono::Utc>);
                    setter!(list ids: Vec<String>);
                    setter!(date run_after_greater_than: chrono::DateTime<chrono::Utc>, null run_after_greater_than_null);
                }
            },
            "",
        )
        .unwrap();
        assert_eq!(
            text,
            "//! Module docs.\n\nuse a::B;\nuse c::D;\nmod e;\npub use e::E;\n\n/// A struct.\npub struct S {\n    a: i32,\n    b: i32,\n}\n\nimpl S {\n    /// Docs that end with a semicolon;\n    /// and go on.\n    const N: usize = 1;\n\n    pub fn long_signature(\n        &self,\n        first_argument: i64,\n        second_argument: i64,\n        third: i64,\n    ) -> i64 {\n        let x = 1;\n        x\n    }\n\n    fn short(&self) {}\n\n    setter!(value at: chrono::DateTime<chrono::Utc>);\n    setter!(list ids: Vec<String>);\n    setter!(date run_after_greater_than: chrono::DateTime<chrono::Utc>, null run_after_greater_than_null);\n}\n"
        );
    }

    #[test]
    fn a_call_on_a_short_receiver_is_joined_as_rustfmt_has_it() {
        let text = super::file(
            quote! {
                fn f(&self) {
                    let request = self.client.request(reqwest::Method::GET, "get_task_instance_dependencies", "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}");
                    let answer = self.client.request(reqwest::Method::GET, "get_task_instance_dependencies", "/api/v2/dags/{dag_id}").send();
                    request.releases(None, &[("run_after_gt", "3.1.0"), ("run_after_lt", "3.1.0"), ("end_date_gt", "3.1.0")]);
                }
            },
            "",
        )
        .unwrap();
        let joined = "    let request = self.client.request(\n        reqwest::Method::GET,\n        \"get_task_instance_dependencies\",\n        \"/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}\",\n    );\n";
        assert!(text.contains(joined), "{text}");
        // A chain that goes on after the call keeps prettyplease's layout.
        assert!(
            text.contains("    let answer = self\n        .client\n        .request(\n"),
            "{text}"
        );
        assert!(!text.contains("    request\n        .releases("), "{text}");
        assert!(text.contains("    request.releases(\n        None,\n        &[\n            (\"run_after_gt\", \"3.1.0\"),\n"), "{text}");
    }

    #[test]
    fn code_that_does_not_parse_is_an_error_naming_the_place() {
        let e = super::file(quote!(fn(),), "/components/schemas/X").unwrap_err();
        assert_eq!(e.pointer, "/components/schemas/X");
        assert!(e.message.contains("does not parse"), "{e}");
    }
}
