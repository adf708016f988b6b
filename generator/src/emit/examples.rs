//! `no_run` usage examples for operation docs: every call compiles as a doctest, so a
//! signature change that breaks the example breaks the build.

use crate::ir::{Api, Field, Operation, Paging, Presence, TagApi, Ty, TypeKind};

/// The example block for one operation, as doc lines.
pub fn operation_example(api: &Api, tag: &TagApi, op: &Operation, crate_ident: &str) -> String {
    let (mut lines, args) = example_arguments(api, op, crate_ident);
    let call = format!(
        "client.{}().{}({})",
        tag.accessor,
        op.fn_name,
        args.join(", ")
    );
    lines.push(format!("let result = {call}.await?;"));
    lines.push("# let _ = result;".into());
    block(crate_ident, lines)
}

/// The example block for an operation's streaming twin, as doc lines.
pub fn stream_example(
    api: &Api,
    tag: &TagApi,
    op: &Operation,
    paging: &Paging,
    crate_ident: &str,
) -> String {
    let (setup, args) = example_arguments(api, op, crate_ident);
    let mut lines = vec![format!("use {crate_ident}::TryStreamExt;")];
    lines.extend(setup);
    // The twin owns its arguments: the same values, given rather than lent.
    let mut args: Vec<String> = args.into_iter().map(|a| a.replacen('&', "", 1)).collect();
    args.push("100".into());
    lines.push(format!(
        "let mut items = client.{}().{}({});",
        tag.accessor,
        paging.fn_name,
        args.join(", ")
    ));
    lines.push("while let Some(item) = items.try_next().await? {".into());
    lines.push("    # let _ = item;".into());
    lines.push("}".into());
    block(crate_ident, lines)
}

/// Doc lines of a `no_run` example with `body` inside a hidden async function.
fn block(crate_ident: &str, body: Vec<String>) -> String {
    let mut lines = vec![
        "# Example".to_string(),
        String::new(),
        "```no_run".to_string(),
        format!("# async fn example(client: {crate_ident}::Client) -> Result<(), Box<dyn std::error::Error>> {{"),
    ];
    if body.iter().any(|l| l.contains("models::")) {
        lines.push(format!("use {crate_ident}::models;"));
    }
    if body.iter().any(|l| l.contains("FilePart::")) {
        lines.push(format!("use {crate_ident}::FilePart;"));
    }
    lines.extend(body);
    lines.extend(["# Ok(())".into(), "# }".into(), "```".into()]);
    lines.join("\n")
}

/// The lines an example needs before its call (imports, the body), and its arguments.
fn example_arguments(api: &Api, op: &Operation, crate_ident: &str) -> (Vec<String>, Vec<String>) {
    let mut lines = Vec::new();
    if let Some(params) = &op.params_type {
        lines.push(format!("use {crate_ident}::apis::{params};"));
    }
    if let Some(body) = &op.body {
        lines.extend(body_lines(api, &body.ty));
    }
    let arguments = super::signature::arguments(api, op);
    (lines, arguments.into_iter().map(|a| a.example).collect())
}

/// `let body = ...;`: a struct body spells out the fields whose server default changes what
/// the call does (`dry_run`, say), else sets its first optional field, so an example never
/// sends an empty object without saying so.
fn body_lines(api: &Api, body: &Ty) -> Vec<String> {
    let value = value(api, body, "body", 0);
    let fields = match body {
        Ty::Named(id) => match &api.ty(*id).kind {
            TypeKind::Struct(s) => s.fields.as_slice(),
            _ => &[],
        },
        _ => &[],
    };
    let optional: Vec<&Field> = fields
        .iter()
        .filter(|f| matches!(f.presence, Presence::Optional | Presence::Tristate))
        .collect();
    let defaults: Vec<&&Field> = optional
        .iter()
        .filter(|f| f.default == Some(serde_json::Value::Bool(true)))
        .collect();
    if defaults.is_empty() {
        let setter = optional.first().map(|f| {
            // A list as an array: every list setter takes one.
            let sample = match f.ty.non_null() {
                Ty::List(item) => format!("[{}]", self::value(api, item, &f.wire_name, 1)),
                other => self::value(api, other, &f.wire_name, 1),
            };
            format!(".{}({sample})", f.rust_name)
        });
        return vec![format!("let body = {value}{};", setter.unwrap_or_default())];
    }
    let names: Vec<String> = defaults
        .iter()
        .map(|f| format!("`{}`", f.wire_name))
        .collect();
    let setters: Vec<String> = defaults
        .iter()
        .map(|f| format!(".{}(true)", f.rust_name))
        .collect();
    let verb = if names.len() == 1 { "is" } else { "are" };
    vec![
        format!(
            "// Spelled out: {} {verb} `true` unless the body says otherwise.",
            names.join(", ")
        ),
        format!("let body = {value}{};", setters.concat()),
    ]
}

/// A Rust expression of type `ty`; `name` makes strings read like the parameter they fill.
pub fn value(api: &Api, ty: &Ty, name: &str, depth: usize) -> String {
    match ty {
        Ty::Bool => "true".into(),
        Ty::I32 | Ty::I64 => "1".into(),
        Ty::F32 | Ty::F64 => "1.0".into(),
        Ty::String => format!("{:?}", format!("my_{name}").replace("my_my_", "my_")),
        Ty::DateTime => "chrono::Utc::now()".into(),
        Ty::Date => "chrono::Utc::now().date_naive()".into(),
        Ty::Uuid => "uuid::Uuid::nil()".into(),
        Ty::Bytes => "Vec::new()".into(),
        Ty::File => "FilePart::from(b\"hello\".to_vec()).named(\"hello.txt\")".into(),
        Ty::Any => "serde_json::Value::Null".into(),
        Ty::AnyObject | Ty::Map(_) => "Default::default()".into(),
        // Past a few levels only a recursive schema goes on; it gets an empty list.
        Ty::List(inner) if depth < 8 => format!("vec![{}]", value(api, inner, name, depth + 1)),
        Ty::List(_) => "Vec::new()".into(),
        Ty::Nullable(inner) if depth < 8 => format!("Some({})", value(api, inner, name, depth + 1)),
        Ty::Nullable(_) => "None".into(),
        Ty::Tuple(items) => format!(
            "({})",
            items
                .iter()
                .map(|t| value(api, t, name, depth + 1))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Ty::Named(id) => named(api, *id, name, depth),
    }
}

fn named(api: &Api, id: crate::ir::TypeId, name: &str, depth: usize) -> String {
    let def = api.ty(id);
    let path = format!("models::{}", def.name);
    match &def.kind {
        TypeKind::Const(_) => path,
        TypeKind::Enum(e) => format!("{path}::{}", e.variants[0].rust_name),
        TypeKind::Alias(target) => value(api, target, name, depth + 1),
        TypeKind::Union(u) => {
            let variant = &u.variants[0];
            let inner = value(api, &variant.ty, name, depth + 1);
            let inner = if variant.boxed {
                format!("Box::new({inner})")
            } else {
                inner
            };
            format!("{path}::{}({inner})", variant.rust_name)
        }
        TypeKind::Struct(s) => {
            let required: Vec<_> = s
                .fields
                .iter()
                .filter(|f| matches!(f.presence, Presence::Required | Presence::RequiredNullable))
                .collect();
            if required.is_empty() {
                format!("{path}::default()")
            } else if depth > 8 {
                // Deep required nesting: the example stays short and still type-checks.
                "serde_json::from_str(\"{}\")?".into()
            } else {
                let args: Vec<String> = required
                    .iter()
                    .map(|f| {
                        let v = if f.presence == Presence::RequiredNullable {
                            "None".to_string()
                        } else {
                            value(api, &f.ty, &f.wire_name, depth + 1)
                        };
                        if f.boxed {
                            format!("Box::new({v})")
                        } else {
                            v
                        }
                    })
                    .collect();
                format!("{path}::new({})", args.join(", "))
            }
        }
    }
}
