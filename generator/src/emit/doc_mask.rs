//! Doc comments kept out of printing: each one-line `#[doc = "..."]` in a unit's tokens is
//! replaced by a numbered stand-in before the code is printed (and before the print cache is
//! asked), then put back in the printed text. prettyplease prints such an attribute as a line
//! of its own (`///` and the text), so where it goes does not depend on what it says, and a
//! unit whose docs changed (the commonest spec edit) is printed from the cache.

use proc_macro2::{Delimiter, Group, Literal, TokenStream, TokenTree};

/// What a masked doc attribute says instead, with its number after it.
const STAND_IN: &str = " rustfmt-piece-doc-";

/// One doc comment taken out: inner (`//!`) or outer (`///`), and its text.
pub struct Doc {
    inner: bool,
    text: String,
}

/// `tokens` with every one-line doc attribute replaced by a numbered stand-in, and the docs
/// taken out, in order.
pub fn mask(tokens: TokenStream) -> (TokenStream, Vec<Doc>) {
    let mut docs = Vec::new();
    let masked = mask_stream(tokens, &mut docs);
    (masked, docs)
}

fn mask_stream(tokens: TokenStream, docs: &mut Vec<Doc>) -> TokenStream {
    let mut out: Vec<TokenTree> = Vec::new();
    // Where the current item's tokens start in `out`.
    let mut item = 0;
    for tree in tokens {
        let group = match tree {
            TokenTree::Group(group) => group,
            TokenTree::Punct(p) if p.as_char() == ';' => {
                out.push(TokenTree::Punct(p));
                item = out.len();
                continue;
            }
            other => {
                out.push(other);
                continue;
            }
        };
        match group.delimiter() {
            Delimiter::Bracket => {
                let masked = attribute_style(&out).and_then(|inner| mask_doc(&group, inner, docs));
                out.push(TokenTree::Group(masked.unwrap_or(group)));
            }
            // Only the bodies of items that hold items (struct fields, variants, impl
            // members): a function body is the bulk of the tokens and has no docs worth it.
            Delimiter::Brace if holds_items(&out[item..]) => {
                let mut rebuilt = Group::new(Delimiter::Brace, mask_stream(group.stream(), docs));
                rebuilt.set_span(group.span());
                out.push(TokenTree::Group(rebuilt));
                item = out.len();
            }
            Delimiter::Brace => {
                out.push(TokenTree::Group(group));
                item = out.len();
            }
            _ => out.push(TokenTree::Group(group)),
        }
    }
    out.into_iter().collect()
}

/// Whether an item whose tokens before its body are `head` has items or fields in its body.
fn holds_items(head: &[TokenTree]) -> bool {
    head.iter().any(|t| {
        matches!(t, TokenTree::Ident(i) if ["struct", "enum", "union", "impl", "trait", "mod"].iter().any(|k| i == k))
    })
}

/// After `#` an attribute is outer (`Some(false)`), after `#!` inner (`Some(true)`).
fn attribute_style(before: &[TokenTree]) -> Option<bool> {
    let is = |tree: Option<&TokenTree>, c: char| matches!(tree, Some(TokenTree::Punct(p)) if p.as_char() == c);
    match before {
        [.., a, b] if is(Some(a), '#') && is(Some(b), '!') => Some(true),
        [.., b] if is(Some(b), '#') => Some(false),
        _ => None,
    }
}

/// `[doc = "text"]` with a stand-in for the text, when prettyplease prints it as one `///`
/// (or `//!`) line: no line break in it and, outside, not starting with `/`.
fn mask_doc(group: &Group, inner: bool, docs: &mut Vec<Doc>) -> Option<Group> {
    let trees: Vec<TokenTree> = group.stream().into_iter().collect();
    let [TokenTree::Ident(name), TokenTree::Punct(eq), TokenTree::Literal(literal)] =
        trees.as_slice()
    else {
        return None;
    };
    if name != "doc" || eq.as_char() != '=' {
        return None;
    }
    let syn::Lit::Str(text) = syn::Lit::new(literal.clone()) else {
        return None;
    };
    let text = text.value();
    if text.contains(['\n', '\r']) || (!inner && text.starts_with('/')) {
        return None;
    }
    let stand_in = Literal::string(&format!("{STAND_IN}{}", docs.len()));
    docs.push(Doc { inner, text });
    let mut masked = Group::new(
        Delimiter::Bracket,
        [
            TokenTree::Ident(name.clone()),
            TokenTree::Punct(eq.clone()),
            TokenTree::Literal(stand_in),
        ]
        .into_iter()
        .collect(),
    );
    masked.set_span(group.span());
    Some(masked)
}

/// The printed code with the docs back in place of their stand-ins, as prettyplease prints
/// them (trailing spaces trimmed); `None` unless each stand-in is found once, in order, and
/// nothing else looks like one.
pub fn unmask(printed: &str, docs: &[Doc]) -> Option<String> {
    let mut text =
        String::with_capacity(printed.len() + docs.iter().map(|d| d.text.len()).sum::<usize>());
    let mut done = 0;
    let mut next = 0;
    for (at, _) in printed.match_indices(STAND_IN) {
        let line_start = printed[..at].rfind('\n').map_or(0, |n| n + 1);
        let line_end = printed[at..].find('\n').map_or(printed.len(), |n| at + n);
        let doc = docs.get(next)?;
        let prefix = if doc.inner { "//!" } else { "///" };
        let prefix_at = at.checked_sub(3)?;
        let indent = printed.get(line_start..prefix_at)?;
        if !indent.bytes().all(|b| b == b' ')
            || printed.get(prefix_at..at) != Some(prefix)
            || printed[at + STAND_IN.len()..line_end] != next.to_string()
        {
            return None;
        }
        text.push_str(&printed[done..prefix_at]);
        text.push_str(prefix);
        text.push_str(doc.text.trim_end_matches(' '));
        done = line_end;
        next += 1;
    }
    text.push_str(&printed[done..]);
    (next == docs.len()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn print(tokens: TokenStream) -> String {
        prettyplease::unparse(&syn::parse2(tokens).unwrap())
    }

    #[test]
    fn docs_are_printed_as_stand_ins_and_put_back_as_prettyplease_prints_them() {
        let tokens = quote! {
            #![doc = " Crate docs."]
            #[doc = " A struct.  "]
            #[doc = ""]
            #[doc = "/ starts with a slash"]
            #[doc = " two\n lines"]
            pub struct S {
                #[doc = " A field."]
                pub f: u8,
            }
        };
        let (masked, docs) = mask(tokens.clone());
        assert_eq!(
            docs.len(),
            4,
            "the slash and two-line docs stay as they are"
        );
        let printed = print(masked);
        assert!(printed.contains("/// rustfmt-piece-doc-1"), "{printed}");
        assert_eq!(
            unmask(&printed, &docs).as_deref(),
            Some(print(tokens).as_str())
        );
    }

    #[test]
    fn stand_ins_out_of_place_are_refused() {
        let (_, docs) = mask(quote! { #[doc = " a"] struct A; #[doc = " b"] struct B; });
        assert_eq!(
            unmask(
                "/// rustfmt-piece-doc-1\nstruct A;\n/// rustfmt-piece-doc-0\nstruct B;\n",
                &docs
            ),
            None
        );
        assert_eq!(unmask("/// rustfmt-piece-doc-0\nstruct A;\n", &docs), None);
        assert_eq!(
            unmask("const S: &str = \" rustfmt-piece-doc-0\";\n", &[]),
            None
        );
    }
}
