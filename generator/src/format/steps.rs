//! A leaf file as steps: which of its pieces ([`super::pieces`]) rustfmt still has to format,
//! and how the formatted pieces go back together into the file rustfmt would have made.

use super::answers::{key, Pack};
use super::pieces::{self, Part};

/// The member that stands in for an `impl` block's real ones while its head and closing line
/// are formatted.
const STAND_IN: &str = "    fn stand_in() {}\n";
/// The `impl` block a member is formatted in.
const MEMBER_OPEN: &str = "impl StandIn {\n";
const MEMBER_CLOSE: &str = "}\n";

/// The inputs still to format, each once.
#[derive(Default)]
pub struct Work {
    pub inputs: Vec<String>,
    index: std::collections::HashMap<String, usize>,
}

impl Work {
    fn queue(&mut self, text: String) -> usize {
        let next = self.inputs.len();
        *self.index.entry(text).or_insert_with_key(|text| {
            self.inputs.push(text.clone());
            next
        })
    }
}

/// rustfmt's answer for one input: known already, or the index of a queued input.
enum Answer {
    Known(String),
    Pending(usize),
}

/// One input and where its answer comes from; `docs`: its doc comment lines, which the
/// input has as numbered stand-ins ([`mask`]).
struct Piece {
    key: String,
    answer: Answer,
    docs: Vec<String>,
}

/// `blank`: the piece follows other code after a blank line, which rustfmt keeps (as one) but a
/// piece formatted alone loses.
enum Step {
    Items { piece: Piece, blank: bool },
    Head { piece: Piece, blank: bool },
    Member { piece: Piece, blank: bool },
    Tail { piece: Piece },
}

/// A leaf file's steps, with the answers `known` has and the other inputs queued on `work`.
pub struct Plan(Vec<Step>);

pub fn plan(text: &str, known: &Pack, work: &mut Work) -> Plan {
    let mut piece = |input: String| {
        let (input, docs) = mask(&input);
        let key = key(&input);
        let answer = match known.get(&key) {
            Some(output) => Answer::Known(output.clone()),
            None => Answer::Pending(work.queue(input)),
        };
        Piece { key, answer, docs }
    };
    let mut parts = pieces::split(text);
    if parts.is_empty() {
        parts.push(Part::Items(text));
    }
    let mut steps = Vec::new();
    for (n, part) in parts.iter().enumerate() {
        match part {
            Part::Items(items) => steps.push(Step::Items {
                piece: piece(items.to_string()),
                blank: n > 0 && pieces::starts_blank(items),
            }),
            Part::Impl {
                head,
                members,
                tail,
            } => {
                let shell = piece(format!("{head}{STAND_IN}{tail}"));
                let tail = Piece {
                    key: shell.key.clone(),
                    answer: match &shell.answer {
                        Answer::Known(output) => Answer::Known(output.clone()),
                        Answer::Pending(i) => Answer::Pending(*i),
                    },
                    docs: shell.docs.clone(),
                };
                steps.push(Step::Head {
                    piece: shell,
                    blank: n > 0 && pieces::starts_blank(head),
                });
                for (m, member) in members.iter().enumerate() {
                    steps.push(Step::Member {
                        piece: piece(format!("{MEMBER_OPEN}{member}{MEMBER_CLOSE}")),
                        blank: m > 0 && pieces::starts_blank(member),
                    });
                }
                steps.push(Step::Tail { piece: tail });
            }
        }
    }
    Plan(steps)
}

impl Plan {
    /// The formatted file, given rustfmt's outputs for the queued inputs, and the pack of all
    /// its pieces' answers; `None` if rustfmt did not keep a stand-in wrapper as it was.
    pub fn assemble(&self, formatted: &[String]) -> Option<(String, Pack)> {
        let mut pack = Pack::new();
        let mut text = String::new();
        for step in &self.0 {
            let (piece, blank) = match step {
                Step::Items { piece, blank }
                | Step::Head { piece, blank }
                | Step::Member { piece, blank } => (piece, *blank),
                Step::Tail { piece } => (piece, false),
            };
            let masked = match &piece.answer {
                Answer::Known(output) => output,
                Answer::Pending(i) => formatted.get(*i)?,
            };
            let output = unmask(masked, &piece.docs)?;
            let part = match step {
                Step::Items { .. } => output.as_str(),
                Step::Head { .. } => &output[..stand_in_at(&output)?],
                Step::Member { .. } => output
                    .strip_prefix(MEMBER_OPEN)?
                    .strip_suffix(MEMBER_CLOSE)?,
                Step::Tail { .. } => &output[stand_in_at(&output)? + STAND_IN.len()..],
            };
            if blank {
                text.push('\n');
            }
            text.push_str(part);
            pack.insert(piece.key.clone(), masked.clone());
        }
        Some((text, pack))
    }
}

/// What a doc comment line becomes in rustfmt's input, with its number after it.
const DOC_STAND_IN: &str = " rustfmt-piece-doc-";

/// `text` with each doc comment line ([`pieces::doc_lines`]) replaced by a numbered stand-in,
/// and the lines replaced. rustfmt never changes such a line's text, so a piece whose docs
/// changed (the commonest spec edit) has the same answer as before.
fn mask(text: &str) -> (String, Vec<String>) {
    if text.contains(DOC_STAND_IN) {
        return (text.to_string(), Vec::new());
    }
    let mut masked = String::with_capacity(text.len());
    let mut docs = Vec::new();
    let mut at = 0;
    for range in pieces::doc_lines(text) {
        masked.push_str(&text[at..range.start]);
        // `///` or `//!`: outer and inner docs are valid in different places.
        masked.push_str(&text[range.start..range.start + 3]);
        masked.push_str(&format!("{DOC_STAND_IN}{}", docs.len()));
        docs.push(text[range.clone()].to_string());
        at = range.end;
    }
    masked.push_str(&text[at..]);
    (masked, docs)
}

/// rustfmt's output for a masked input with the doc lines put back; `None` unless every
/// stand-in is found once, in order.
fn unmask(output: &str, docs: &[String]) -> Option<String> {
    if docs.is_empty() {
        return Some(output.to_string());
    }
    let mut text =
        String::with_capacity(output.len() + docs.iter().map(String::len).sum::<usize>());
    let mut next = 0;
    for line in output.split_inclusive('\n') {
        let content = line.trim_start_matches(' ');
        match content
            .get(3..)
            .and_then(|rest| rest.strip_prefix(DOC_STAND_IN))
        {
            Some(number) => {
                if number.trim_end_matches('\n') != next.to_string() {
                    return None;
                }
                text.push_str(&line[..line.len() - content.len()]);
                text.push_str(docs.get(next)?);
                if line.ends_with('\n') {
                    text.push('\n');
                }
                next += 1;
            }
            None => text.push_str(line),
        }
    }
    (next == docs.len()).then_some(text)
}

/// Where the one stand-in member line is in a formatted shell.
fn stand_in_at(shell: &str) -> Option<usize> {
    let mut found = shell
        .match_indices(STAND_IN)
        .map(|(i, _)| i)
        .filter(|&i| i == 0 || shell.as_bytes()[i - 1] == b'\n');
    let at = found.next()?;
    found.next().is_none().then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_lines_are_masked_and_put_back() {
        let text = "/// Summary\n///\n/// More, with a `code` span\nfn f() {}\n";
        let (masked, docs) = mask(text);
        assert_eq!(
            masked,
            "/// rustfmt-piece-doc-0\n/// rustfmt-piece-doc-1\n/// rustfmt-piece-doc-2\nfn f() {}\n"
        );
        // rustfmt re-indents; the docs come back at the new indentation.
        let indented = masked.replace("///", "    ///");
        assert_eq!(
            unmask(&indented, &docs).as_deref(),
            Some("    /// Summary\n    ///\n    /// More, with a `code` span\nfn f() {}\n")
        );
        assert_eq!(unmask("/// rustfmt-piece-doc-1\n", &docs), None);
        assert_eq!(unmask("fn f() {}\n", &docs), None);
        // A text that has the stand-in already is left as it is.
        let odd = "/// rustfmt-piece-doc-0\nfn g() {}\n";
        assert_eq!(mask(odd), (odd.to_string(), Vec::new()));
    }
}
