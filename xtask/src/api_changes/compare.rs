//! Two IRs → the list of [`Change`]s between them.
//!
//! Operations are matched by operationId (a repeated operationId, which released documents
//! have, by method and path first, then in document order) and parameters by location and
//! wire name. Types are not matched by name: they are paired by walking both APIs side by side
//! from each matched operation (its parameters, body and success responses), so an inline type
//! whose generated name shifted between releases is still compared with its counterpart. Two
//! named types met at the same place are paired when their names agree, or when each name is
//! unknown to the other API (a rename); otherwise the place simply changed type. Struct fields
//! are matched by wire name, enum values by value, union variants by their type.

use std::collections::{BTreeMap, BTreeSet};

use airflow_codegen::ir::{
    Api, Body, Content, Operation, Param, ParamLocation, Returns, Ty, TypeId, TypeKind,
    UnionVariant,
};

use super::change::{Change, Section};

/// The directions a type travels in, as far as one tag's operations are concerned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Dirs {
    request: bool,
    response: bool,
}

impl Dirs {
    const REQUEST: Dirs = Dirs {
        request: true,
        response: false,
    };
    const RESPONSE: Dirs = Dirs {
        request: false,
        response: true,
    };

    fn union(self, other: Dirs) -> Dirs {
        Dirs {
            request: self.request || other.request,
            response: self.response || other.response,
        }
    }

    fn label(self) -> &'static str {
        match (self.request, self.response) {
            (true, true) => "request and response",
            (true, false) => "request",
            _ => "response",
        }
    }
}

/// A named type of the older API and its counterpart in the newer one.
type Pair = (TypeId, TypeId);

/// The two APIs, with the names of their types.
struct Sides<'a> {
    from: &'a Api,
    to: &'a Api,
    from_names: BTreeSet<&'a str>,
    to_names: BTreeSet<&'a str>,
}

/// A change, before it is filed under a tag.
#[derive(Clone)]
struct Finding {
    section: Section,
    /// What the line is about, for sorting: the operation, parameter, field or type.
    subject: String,
    breaking: bool,
    text: String,
}

impl Finding {
    fn new(section: Section, subject: &str, breaking: bool, text: String) -> Finding {
        Finding {
            section,
            subject: subject.to_string(),
            breaking,
            text,
        }
    }

    fn under(self, tag: &str) -> Change {
        Change {
            tag: tag.to_string(),
            section: self.section,
            subject: self.subject,
            text: self.text,
            breaking: self.breaking,
        }
    }
}

/// Every change between `from` and `to`, sorted, each under the tag it belongs to.
pub fn changes(from: &Api, to: &Api) -> Vec<Change> {
    let sides = Sides {
        from,
        to,
        from_names: from.types.iter().map(|t| t.name.as_str()).collect(),
        to_names: to.types.iter().map(|t| t.name.as_str()).collect(),
    };
    let mut out = Vec::new();
    // Per tag of the newer API: the type pairs its matched operations reach, and how.
    let mut roots: BTreeMap<&str, Vec<(Pair, Dirs)>> = BTreeMap::new();
    for matched in match_operations(from, to) {
        let ops = Section::Operations;
        let (tag, found) = match matched {
            (Some((tag, op)), None) => {
                let text = format!("removed {}", op_text(op));
                (tag, vec![Finding::new(ops, &op.operation_id, true, text)])
            }
            (None, Some((tag, op))) => {
                let text = format!("added {}", op_text(op));
                (tag, vec![Finding::new(ops, &op.operation_id, false, text)])
            }
            (Some((old_tag, a)), Some((tag, b))) => {
                let mut walk = Walk {
                    sides: &sides,
                    pairs: roots.entry(tag).or_default(),
                    found: Vec::new(),
                };
                if old_tag != tag {
                    // Listed under both tags, so readers of either see it.
                    let id = &b.operation_id;
                    let text = format!("`{id}` moved from tag \"{old_tag}\" to \"{tag}\"");
                    let moved = Finding::new(ops, id, true, text);
                    out.push(moved.clone().under(old_tag));
                    walk.found.push(moved);
                }
                walk.operation(a, b);
                (tag, walk.found)
            }
            (None, None) => continue,
        };
        out.extend(found.into_iter().map(|f| f.under(tag)));
    }
    for (tag, pairs) in roots {
        out.extend(
            type_changes(&sides, pairs)
                .into_iter()
                .map(|f| f.under(tag)),
        );
    }
    out.sort();
    out.dedup();
    out
}

/// An operation and the tag it is listed under.
type Tagged<'a> = (&'a str, &'a Operation);

/// The operations of both APIs, matched by operationId. Released documents repeat some
/// operationIds; those are matched by method and path first, then in document order.
fn match_operations<'a>(
    from: &'a Api,
    to: &'a Api,
) -> Vec<(Option<Tagged<'a>>, Option<Tagged<'a>>)> {
    let by_id = |api: &'a Api| {
        let mut map: BTreeMap<&'a str, Vec<Tagged<'a>>> = BTreeMap::new();
        for (tag, op) in api.operations() {
            map.entry(op.operation_id.as_str())
                .or_default()
                .push((tag.tag.as_str(), op));
        }
        map
    };
    let (mut old, mut new) = (by_id(from), by_id(to));
    let ids: BTreeSet<&str> = old.keys().chain(new.keys()).copied().collect();
    let mut out = Vec::new();
    for id in ids {
        let mut a = old.remove(id).unwrap_or_default();
        let mut b = new.remove(id).unwrap_or_default();
        let mut i = 0;
        while i < a.len() {
            let at = |op: &Operation| (op.method, op.path.clone());
            match b.iter().position(|(_, op)| at(op) == at(a[i].1)) {
                Some(j) => out.push((Some(a.remove(i)), Some(b.remove(j)))),
                None => i += 1,
            }
        }
        let longest = a.len().max(b.len());
        let (mut a, mut b) = (a.into_iter(), b.into_iter());
        for _ in 0..longest {
            out.push((a.next(), b.next()));
        }
    }
    out
}

fn op_text(op: &Operation) -> String {
    format!("`{}` ({} {})", op.operation_id, op.method.as_str(), op.path)
}

/// Compares two sides, collecting the type pairs it passes through.
struct Walk<'a, 'p> {
    sides: &'a Sides<'a>,
    pairs: &'p mut Vec<(Pair, Dirs)>,
    found: Vec<Finding>,
}

impl Walk<'_, '_> {
    fn note(&mut self, section: Section, subject: &str, breaking: bool, text: String) {
        self.found
            .push(Finding::new(section, subject, breaking, text));
    }

    fn operation(&mut self, a: &Operation, b: &Operation) {
        let id = b.operation_id.as_str();
        let ops = Section::Operations;
        if a.method != b.method || a.path != b.path {
            let text = format!(
                "`{id}` moved from {} {} to {} {}",
                a.method.as_str(),
                a.path,
                b.method.as_str(),
                b.path
            );
            self.note(ops, id, true, text);
        }
        if a.deprecated != b.deprecated {
            let text = deprecated_text(&format!("`{id}`"), b.deprecated);
            self.note(ops, id, false, text);
        }
        self.params(id, &a.params, &b.params);
        self.body(id, a.body.as_ref(), b.body.as_ref());
        self.returns(id, &a.returns, &b.returns);
    }

    fn params(&mut self, id: &str, a: &[Param], b: &[Param]) {
        let key = |p: &Param| (location(p.location), p.name.clone());
        let old: BTreeMap<_, &Param> = a.iter().map(|p| (key(p), p)).collect();
        let new: BTreeMap<_, &Param> = b.iter().map(|p| (key(p), p)).collect();
        let section = Section::Parameters;
        for (k @ (loc, name), p) in &new {
            let subject = format!("{id} {name} {loc}");
            let what = format!("`{id}`: {loc} parameter `{name}`");
            let Some(q) = old.get(k) else {
                let text = format!(
                    "`{id}`: added {loc} parameter `{name}` ({})",
                    shape(self.sides.to, &p.ty, p.required)
                );
                self.note(section, &subject, p.required, text);
                continue;
            };
            if q.required != p.required {
                // A parameter is only ever sent.
                let text = required_text(&what, p.required);
                self.note(section, &subject, p.required, text);
            }
            if q.deprecated != p.deprecated {
                let text = deprecated_text(&what, p.deprecated);
                self.note(section, &subject, false, text);
            }
            self.value(&subject, &what, &q.ty, &p.ty, Dirs::REQUEST, section);
        }
        for k @ (loc, name) in old.keys() {
            if !new.contains_key(k) {
                let text = format!("`{id}`: removed {loc} parameter `{name}`");
                self.note(section, &format!("{id} {name} {loc}"), true, text);
            }
        }
    }

    fn body(&mut self, id: &str, a: Option<&Body>, b: Option<&Body>) {
        let section = Section::Parameters;
        // Listed before the parameters of the same operation.
        let subject = format!("{id} ");
        let what = format!("`{id}`: request body");
        match (a, b) {
            (None, None) => {}
            (Some(_), None) => self.note(section, &subject, true, format!("{what} removed")),
            (None, Some(b)) => {
                let text = format!(
                    "{what} added ({}, {})",
                    shape(self.sides.to, &b.ty, b.required),
                    b.media_type
                );
                self.note(section, &subject, b.required, text);
            }
            (Some(a), Some(b)) => {
                if a.media_type != b.media_type {
                    let text = format!("{what} media type `{}` → `{}`", a.media_type, b.media_type);
                    self.note(section, &subject, true, text);
                }
                if a.required != b.required {
                    let text = required_text(&what, b.required);
                    self.note(section, &subject, b.required, text);
                }
                self.value(&subject, &what, &a.ty, &b.ty, Dirs::REQUEST, section);
            }
        }
    }

    fn returns(&mut self, id: &str, a: &Returns, b: &Returns) {
        let section = Section::Operations;
        match (a, b) {
            (Returns::Unit, Returns::Unit) => {}
            (Returns::One(a), Returns::One(b)) => {
                self.content(id, &format!("`{id}`: response"), a, b);
            }
            (
                Returns::Choice { variants: va, .. },
                Returns::Choice {
                    type_name,
                    variants: vb,
                    ..
                },
            ) => {
                let old: BTreeMap<&str, _> = va.iter().map(|v| (v.name.as_str(), v)).collect();
                let new: BTreeMap<&str, _> = vb.iter().map(|v| (v.name.as_str(), v)).collect();
                for (name, v) in &new {
                    let what = format!("`{id}`: response `{type_name}::{name}`");
                    let Some(u) = old.get(name) else {
                        self.note(section, id, true, format!("{what} added"));
                        continue;
                    };
                    match (&u.content, &v.content) {
                        (Some(a), Some(b)) => self.content(id, &what, a, b),
                        (None, None) => {}
                        (a, b) => {
                            let text = format!(
                                "{what} changed from {} to {}",
                                content_text(self.sides.from, a.as_ref()),
                                content_text(self.sides.to, b.as_ref())
                            );
                            self.note(section, id, true, text);
                        }
                    }
                }
                for name in old.keys().filter(|n| !new.contains_key(*n)) {
                    let text = format!("`{id}`: response `{type_name}::{name}` removed");
                    self.note(section, id, true, text);
                }
            }
            (a, b) => {
                let text = format!(
                    "`{id}`: response changed from {} to {}",
                    returns_text(self.sides.from, a),
                    returns_text(self.sides.to, b)
                );
                self.note(section, id, true, text);
            }
        }
    }

    fn content(&mut self, id: &str, what: &str, a: &Content, b: &Content) {
        let section = Section::Operations;
        if a.media_type != b.media_type {
            let text = format!("{what} media type `{}` → `{}`", a.media_type, b.media_type);
            self.note(section, id, true, text);
        }
        self.value(id, what, &a.ty, &b.ty, Dirs::RESPONSE, section);
    }

    /// A value's nullability, judged by the direction it travels in, then its type.
    fn value(&mut self, subject: &str, what: &str, a: &Ty, b: &Ty, dirs: Dirs, section: Section) {
        let was_null = strip(self.sides.from, a).0;
        let now_null = strip(self.sides.to, b).0;
        if was_null != now_null {
            // Breaking for readers when null appears, for senders when it goes.
            let breaking = if now_null {
                dirs.response
            } else {
                dirs.request
            };
            let now = if now_null {
                "is now nullable"
            } else {
                "is no longer nullable"
            };
            self.note(section, subject, breaking, format!("{what} {now}"));
        }
        if !self.same(a, b, dirs) {
            let text = format!(
                "{what} type `{}` → `{}`",
                describe(self.sides.from, a),
                describe(self.sides.to, b)
            );
            self.note(section, subject, true, text);
        }
    }

    /// Whether two types are the same to the client, their outer nullability aside. Named
    /// types met here are paired for comparison: same name, or a rename (a new name is a new
    /// type to code that names it, so a rename still counts as a different type here).
    fn same(&mut self, a: &Ty, b: &Ty, dirs: Dirs) -> bool {
        let (from, to) = (self.sides.from, self.sides.to);
        let (_, a) = strip(from, a);
        let (_, b) = strip(to, b);
        match (a, b) {
            (Ty::Named(x), Ty::Named(y)) => {
                let (old, new) = (from.ty(*x), to.ty(*y));
                match (&old.kind, &new.kind) {
                    (TypeKind::Const(p), TypeKind::Const(q)) => p == q,
                    (TypeKind::Struct(_), TypeKind::Struct(_))
                    | (TypeKind::Enum(_), TypeKind::Enum(_))
                    | (TypeKind::Union(_), TypeKind::Union(_)) => {
                        let same_name = old.name == new.name;
                        let renamed = !self.sides.to_names.contains(old.name.as_str())
                            && !self.sides.from_names.contains(new.name.as_str());
                        if same_name || renamed {
                            self.pairs.push(((*x, *y), dirs));
                        }
                        same_name
                    }
                    _ => false,
                }
            }
            (Ty::List(x), Ty::List(y)) | (Ty::Map(x), Ty::Map(y)) => self.same_inner(x, y, dirs),
            (Ty::Tuple(xs), Ty::Tuple(ys)) => {
                xs.len() == ys.len()
                    && xs
                        .iter()
                        .zip(ys)
                        .fold(true, |same, (x, y)| self.same_inner(x, y, dirs) && same)
            }
            (Ty::Named(_), _) | (_, Ty::Named(_)) => false,
            (a, b) => a == b,
        }
    }

    /// Like [`Walk::same`], nullability included (for list items, map values, tuple parts).
    fn same_inner(&mut self, a: &Ty, b: &Ty, dirs: Dirs) -> bool {
        let same = self.same(a, b, dirs);
        same && strip(self.sides.from, a).0 == strip(self.sides.to, b).0
    }
}

/// What changed inside the type pairs one tag's operations reach.
fn type_changes(sides: &Sides, roots: Vec<(Pair, Dirs)>) -> Vec<Finding> {
    // Every pair reached from the roots, with every direction it is reached in.
    let mut reached: BTreeMap<Pair, Dirs> = BTreeMap::new();
    let mut stack = roots;
    while let Some((pair, dirs)) = stack.pop() {
        let known = reached.entry(pair).or_default();
        let merged = known.union(dirs);
        if merged == *known {
            continue;
        }
        *known = merged;
        let mut walk = Walk {
            sides,
            pairs: &mut stack,
            found: Vec::new(),
        };
        walk.kind(pair, merged);
    }
    // Compared again now that every pair's directions are known.
    let mut out = Vec::new();
    for (pair, dirs) in reached {
        let mut walk = Walk {
            sides,
            pairs: &mut Vec::new(),
            found: Vec::new(),
        };
        walk.kind(pair, dirs);
        out.append(&mut walk.found);
    }
    out
}

impl Walk<'_, '_> {
    /// Compares a pair of named types, reached in `dirs`.
    fn kind(&mut self, (x, y): Pair, dirs: Dirs) {
        let (from, to) = (self.sides.from, self.sides.to);
        let (a, b) = (from.ty(x), to.ty(y));
        let name = if a.name == b.name {
            format!("`{}`", b.name)
        } else {
            format!("`{}` (was `{}`)", b.name, a.name)
        };
        let label = dirs.label();
        match (&a.kind, &b.kind) {
            (TypeKind::Struct(s), TypeKind::Struct(t)) => {
                let old: BTreeMap<&str, _> =
                    s.fields.iter().map(|f| (f.wire_name.as_str(), f)).collect();
                let new: BTreeMap<&str, _> =
                    t.fields.iter().map(|f| (f.wire_name.as_str(), f)).collect();
                let section = Section::Fields;
                for (wire, f) in &new {
                    let subject = format!("{}.{wire}", b.name);
                    let what = format!("`{}.{wire}` ({label})", b.name);
                    let Some(e) = old.get(wire) else {
                        let text = format!("{what} added ({})", shape(to, &f.ty, f.required));
                        self.note(section, &subject, dirs.request && f.required, text);
                        continue;
                    };
                    if e.required != f.required {
                        // Sent: a new requirement breaks. Received: a new absence breaks.
                        let breaking = if f.required {
                            dirs.request
                        } else {
                            dirs.response
                        };
                        let text = required_text(&what, f.required);
                        self.note(section, &subject, breaking, text);
                    }
                    if e.deprecated != f.deprecated {
                        let text = deprecated_text(&what, f.deprecated);
                        self.note(section, &subject, false, text);
                    }
                    self.value(&subject, &what, &e.ty, &f.ty, dirs, section);
                }
                for wire in old.keys().filter(|w| !new.contains_key(*w)) {
                    let text = format!("`{}.{wire}` ({label}) removed", b.name);
                    self.note(section, &format!("{}.{wire}", b.name), true, text);
                }
            }
            (TypeKind::Enum(e), TypeKind::Enum(f)) => {
                let old: BTreeSet<&str> = e.variants.iter().map(|v| v.wire.as_str()).collect();
                let new: BTreeSet<&str> = f.variants.iter().map(|v| v.wire.as_str()).collect();
                let section = Section::EnumValues;
                for value in new.difference(&old) {
                    let text = format!("{name} ({label}) added `{value}`");
                    self.note(section, &b.name, false, text);
                }
                for value in old.difference(&new) {
                    let text = format!("{name} ({label}) removed `{value}`");
                    self.note(section, &b.name, true, text);
                }
            }
            (TypeKind::Union(u), TypeKind::Union(v)) => {
                let key = |api: &Api, w: &UnionVariant| describe(api, &w.ty);
                let old: BTreeMap<String, &UnionVariant> =
                    u.variants.iter().map(|w| (key(from, w), w)).collect();
                let new: BTreeMap<String, &UnionVariant> =
                    v.variants.iter().map(|w| (key(to, w), w)).collect();
                let section = Section::UnionVariants;
                for (k, w) in &new {
                    let what = format!("{name} ({label}) variant `{k}`");
                    let Some(old_w) = old.get(k) else {
                        // Old readers cannot decode a shape they do not know.
                        self.note(section, &b.name, dirs.response, format!("{what} added"));
                        continue;
                    };
                    if old_w.rust_name != w.rust_name {
                        // Code that builds or matches the variant names it.
                        let text = format!(
                            "{what} is now called `{}` (was `{}`)",
                            w.rust_name, old_w.rust_name
                        );
                        self.note(section, &b.name, true, text);
                    }
                    self.value(&b.name, &what, &old_w.ty, &w.ty, dirs, section);
                }
                for k in old.keys().filter(|k| !new.contains_key(*k)) {
                    let text = format!("{name} ({label}) variant `{k}` removed");
                    self.note(section, &b.name, true, text);
                }
            }
            _ => {}
        }
    }
}

fn required_text(what: &str, now: bool) -> String {
    if now {
        format!("{what} is now required")
    } else {
        format!("{what} is now optional")
    }
}

fn deprecated_text(what: &str, now: bool) -> String {
    if now {
        format!("{what} is now deprecated")
    } else {
        format!("{what} is no longer deprecated")
    }
}

fn location(location: ParamLocation) -> &'static str {
    match location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

/// How many aliases to follow before giving up (the IR refuses alias cycles; this is a guard).
const MAX_ALIASES: usize = 64;

/// A type with its aliases followed: whether it may be null, and what it is.
fn strip<'a>(api: &'a Api, mut ty: &'a Ty) -> (bool, &'a Ty) {
    let mut nullable = false;
    for _ in 0..MAX_ALIASES {
        match ty {
            Ty::Nullable(inner) => {
                nullable = true;
                ty = inner;
            }
            Ty::Named(id) => match &api.ty(*id).kind {
                TypeKind::Alias(inner) => ty = inner,
                _ => break,
            },
            _ => break,
        }
    }
    (nullable, ty)
}

/// A type as the client spells it, aliases followed, outer nullability left to the caller.
fn describe(api: &Api, ty: &Ty) -> String {
    let (_, ty) = strip(api, ty);
    let inner = |ty: &Ty| match strip(api, ty) {
        (true, _) => format!("Option<{}>", describe(api, ty)),
        (false, _) => describe(api, ty),
    };
    match ty {
        Ty::Bool => "bool".into(),
        Ty::I32 => "i32".into(),
        Ty::I64 => "i64".into(),
        Ty::U64 => "u64".into(),
        Ty::F32 => "f32".into(),
        Ty::F64 => "f64".into(),
        Ty::String => "String".into(),
        Ty::DateTime => "DateTime".into(),
        Ty::Date => "NaiveDate".into(),
        Ty::Uuid => "Uuid".into(),
        Ty::Bytes => "bytes".into(),
        Ty::File => "FilePart".into(),
        Ty::Any => "Value".into(),
        Ty::AnyObject => "Map<String, Value>".into(),
        Ty::Named(id) => match &api.ty(*id).kind {
            TypeKind::Const(value) => format!("constant \"{value}\""),
            _ => api.ty(*id).name.clone(),
        },
        Ty::List(item) => format!("Vec<{}>", inner(item)),
        Ty::Map(value) => format!("BTreeMap<String, {}>", inner(value)),
        Ty::Tuple(items) => {
            let items: Vec<String> = items.iter().map(inner).collect();
            format!("({})", items.join(", "))
        }
        Ty::Nullable(inner) => describe(api, inner),
    }
}

/// A parameter's, body's or field's type, whether it is required, and whether it is nullable.
fn shape(api: &Api, ty: &Ty, required: bool) -> String {
    let required = if required { "required" } else { "optional" };
    let nullable = if strip(api, ty).0 { ", nullable" } else { "" };
    format!("{}, {required}{nullable}", describe(api, ty))
}

fn content_text(api: &Api, content: Option<&Content>) -> String {
    match content {
        None => "no body".into(),
        Some(c) => format!("`{}` ({})", describe(api, &c.ty), c.media_type),
    }
}

fn returns_text(api: &Api, returns: &Returns) -> String {
    match returns {
        Returns::Unit => "no body".into(),
        Returns::One(c) => content_text(api, Some(c)),
        Returns::Choice { type_name, .. } => format!("`{type_name}`"),
    }
}
