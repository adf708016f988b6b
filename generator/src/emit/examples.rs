//! `no_run` usage examples for operation docs: every call compiles as a doctest, so a
//! signature change that breaks the example breaks the build.

use super::models::{asked, unaliased};
use super::setters::setter_names;
use super::ty::ident;
use crate::ir::{Api, Field, Operation, Presence, TagApi, Ty, TypeKind};

/// The example block for an operation, or for its streaming twin when `stream`, as doc lines:
/// a `no_run` example with the call inside a hidden async function.
pub fn example(api: &Api, tag: &TagApi, op: &Operation, stream: bool, crate_ident: &str) -> String {
    let error = "Box<dyn std::error::Error>";
    let open =
        format!("# async fn example(client: {crate_ident}::Client) -> Result<(), {error}> {{");
    let body = call(api, tag, op, stream, crate_ident);
    format!("# Example\n\n```no_run\n{open}\n{body}\n# Ok(())\n# }}\n```")
}

/// An operation's example call (or its streaming twin's) with what it needs (imports, the
/// body), its result printed, as lines of code.
pub fn call(api: &Api, tag: &TagApi, op: &Operation, stream: bool, crate_ident: &str) -> String {
    let mut lines = Vec::from_iter(op.body.iter().map(|body| body_line(api, &body.ty)));
    let args = super::signature::arguments(api, op).into_iter();
    let args = args.map(|a| a.example);
    let api_name = &tag.accessor;
    let paging = op.paging.as_ref().filter(|_| stream);
    match paging {
        None => {
            let (name, args) = (ident(&op.fn_name), args.collect::<Vec<_>>().join(", "));
            let call = format!("let result = client.{api_name}().{name}({args}).await?;");
            lines.extend([call, "println!(\"{result:?}\");".into()]);
        }
        Some(paging) => {
            // The twin owns its arguments: the same values, given rather than lent.
            let mut args: Vec<String> = args.map(|a| a.replacen('&', "", 1)).collect();
            args.push("100".into());
            let (name, args) = (&paging.fn_name, args.join(", "));
            let call = format!("let mut items = client.{api_name}().{name}({args});");
            lines.push(call);
            lines.push("while let Some(item) = items.try_next().await? {".into());
            lines.push("    println!(\"{item:?}\");".into());
            lines.push("}".into());
        }
    }
    // What the lines name through the crate's re-exports is imported from there (a user's
    // crate may not depend on `chrono` or `serde_json` itself), in one `use`.
    let names = ["FilePart", "chrono", "models", "serde_json", "uuid"].into_iter();
    let used = names.filter(|name| lines.iter().any(|l| l.contains(&format!("{name}::"))));
    let id_types = op.required_params().filter_map(|p| p.id_type.clone());
    let apis = path_to("apis", id_types.chain(op.params_type.clone()).collect());
    let stream = paging.map(|_| "TryStreamExt".to_string());
    let names = stream.into_iter().chain(apis).chain(used.map(String::from));
    let imports = path_to(crate_ident, names.collect()).map(|path| format!("use {path};"));
    Vec::from_iter(imports.into_iter().chain(lines)).join("\n")
}

/// `path::name`, or `path::{a, b}` for several (sorted); `None` for none.
fn path_to(path: &str, mut names: Vec<String>) -> Option<String> {
    names.sort();
    match names.as_slice() {
        [] => None,
        [one] => Some(format!("{path}::{one}")),
        many => Some(format!("{path}::{{{}}}", many.join(", "))),
    }
}

/// `let body = ...;`: a struct body sets the fields whose server default is `true` (a dry
/// run, say), so the example shows what is on, else its first optional field, so an example
/// never sends an empty object without saying so.
fn body_line(api: &Api, body: &Ty) -> String {
    let fields = body.named_struct(&api.types).map_or(&[][..], |s| &s.fields);
    let names = setter_names(&Vec::from_iter(fields.iter().map(|f| &*f.rust_name)));
    let settable =
        |(f, _): &(&Field, _)| matches!(f.presence, Presence::Optional | Presence::Tristate);
    let optional = fields.iter().zip(&names).filter(settable);
    let on_by_default = |(f, _): &(&Field, _)| f.default == Some(true.into());
    let mut set: Vec<_> = optional.clone().filter(on_by_default).collect();
    if set.is_empty() {
        set.extend(optional.take(1));
    }
    let setters = set.iter().map(|(f, (setter, _))| {
        let sample = argument(api, f.ty.non_null(), &f.wire_name, 1);
        format!(".{}({sample})", ident(setter))
    });
    let setters: String = setters.collect();
    format!("let body = {}{setters};", owned(api, body, "body", 0))
}

/// A setter's or a constructor's argument: a list as an array, its items taken as `impl Into`.
fn argument(api: &Api, ty: &Ty, name: &str, depth: usize) -> String {
    match ty {
        // Past a few levels (a schema that holds a list of itself) a list is left empty.
        Ty::List(item) => match **item {
            Ty::Named(id) if depth > 8 => format!("Vec::<models::{}>::new()", api.ty(id).name),
            _ => format!("[{}]", value(api, item, name, depth)),
        },
        other => value(api, other, name, depth),
    }
}

/// A Rust expression of type `ty`; `name` makes strings read like the parameter they fill.
pub fn value(api: &Api, ty: &Ty, name: &str, depth: usize) -> String {
    let deeper = |t: &Ty| owned(api, t, name, depth + 1);
    match ty {
        Ty::Bool => "true".into(),
        // An index counts from 0, a number (a try's, say) from 1: two never look alike.
        Ty::I32 | Ty::I64 | Ty::U64 if name.ends_with("index") => "0".into(),
        Ty::I32 | Ty::I64 | Ty::U64 => "1".into(),
        Ty::F32 | Ty::F64 => "1.0".into(),
        Ty::String => format!("{:?}", format!("my_{name}").replace("my_my_", "my_")),
        Ty::DateTime => "chrono::Utc::now()".into(),
        Ty::Date => "chrono::Utc::now().date_naive()".into(),
        Ty::Uuid => "uuid::Uuid::nil()".into(),
        Ty::Bytes => "Vec::new()".into(),
        Ty::File => "FilePart::from(b\"hello\".to_vec()).named(\"hello.txt\")".into(),
        Ty::Any => "serde_json::Value::Null".into(),
        // Named, as a bare `Default::default()` is not inferred through `impl Into`.
        Ty::AnyObject => "serde_json::Map::new()".into(),
        Ty::Map(_) => "std::collections::BTreeMap::new()".into(),
        // Past a few levels only a recursive schema goes on; it gets an empty list.
        Ty::List(inner) if depth < 8 => format!("vec![{}]", deeper(inner)),
        Ty::List(_) => "Vec::new()".into(),
        Ty::Nullable(inner) if depth < 8 => format!("Some({})", deeper(inner)),
        Ty::Nullable(_) => "None".into(),
        Ty::Tuple(items) => format!("({})", Vec::from_iter(items.iter().map(deeper)).join(", ")),
        Ty::Named(id) => named(api, *id, name, depth),
    }
}

/// `value` where no `Into` reaches (a list's item, a tuple's, an arm's): a string is owned.
fn owned(api: &Api, ty: &Ty, name: &str, depth: usize) -> String {
    let string = *unaliased(api, ty) == Ty::String;
    value(api, ty, name, depth) + if string { ".to_string()" } else { "" }
}

fn named(api: &Api, id: crate::ir::TypeId, name: &str, depth: usize) -> String {
    let def = api.ty(id);
    let path = format!("models::{}", def.name);
    match &def.kind {
        TypeKind::Const(_) => path,
        TypeKind::Enum(e) => format!(
            "{path}::{}",
            preferred(api, &e.variants, |v| &v.wire).rust_name
        ),
        TypeKind::Alias(Ty::AnyObject | Ty::Map(_)) => format!("{path}::default()"),
        TypeKind::Alias(target) => value(api, target, name, depth + 1),
        TypeKind::Union(u) => {
            let variant = preferred(api, &u.variants, |v| &v.rust_name);
            let inner = owned(api, &variant.ty, name, depth + 1);
            let inner = match variant.boxed {
                true => format!("Box::new({inner})"),
                false => inner,
            };
            format!("{path}::{}({inner})", variant.rust_name)
        }
        TypeKind::Struct(s) => {
            let asked: Vec<&Field> = s.fields.iter().filter(|f| asked(def, f)).collect();
            if asked.is_empty() {
                return format!("{path}::default()");
            } else if depth > 16 {
                // Past where lists end, only a union that holds itself goes on: stop it.
                return "serde_json::from_str(\"{}\")?".into();
            }
            // `new` boxes what it must itself.
            let args = asked.iter().map(|f| match f.presence {
                Presence::RequiredNullable => "None".to_string(),
                _ => argument(api, &f.ty, &f.wire_name, depth + 1),
            });
            format!("{path}::new({})", args.collect::<Vec<_>>().join(", "))
        }
    }
}

/// The variant an example shows: the first of the notes' `example_values` the type has (an
/// enum's by wire value, a union's by arm name), else its first. A document lists values in
/// its own order, and Airflow's task states start with `removed`, which no client may set.
fn preferred<'a, T>(api: &Api, variants: &'a [T], name: impl Fn(&T) -> &str) -> &'a T {
    let mut wanted = api.notes.example_values.iter();
    let found = wanted.find_map(|w| variants.iter().find(|v| name(v).eq_ignore_ascii_case(w)));
    found.unwrap_or(&variants[0])
}
