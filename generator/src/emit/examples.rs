//! `no_run` usage examples for operation docs: every call compiles as a doctest, so a
//! signature change that breaks the example breaks the build.

use crate::ir::{Api, Operation, Presence, TagApi, Ty, TypeKind};

/// The example block for one operation, as doc lines.
pub fn operation_example(api: &Api, tag: &TagApi, op: &Operation, crate_ident: &str) -> String {
    let mut uses = Vec::new();
    let mut args: Vec<String> = op
        .required_params()
        .filter(|p| !super::signature::const_param(api, p))
        .map(|p| {
            let value = value(api, &p.ty, &p.name, 0);
            match &p.ty {
                // Strings are passed as `&str` literals, small scalars by value.
                t if *t == Ty::String || super::signature::by_value(t) => value,
                _ => format!("&{value}"),
            }
        })
        .collect();
    if let Some(params) = &op.params_type {
        uses.push(format!("use {crate_ident}::apis::{params};"));
        args.push(format!("&{params}::default()"));
    }
    if let Some(body) = &op.body {
        let value = value(api, &body.ty, "body", 0);
        args.push(if body.required {
            format!("&{value}")
        } else {
            format!("Some(&{value})")
        });
    }
    if example_mentions_models(&args) {
        uses.push(format!("use {crate_ident}::models;"));
    }
    let call = format!(
        "client.{}().{}({})",
        tag.accessor,
        op.fn_name.trim_start_matches("r#"),
        args.join(", ")
    );
    let mut lines = vec![
        "# Example".to_string(),
        String::new(),
        "```no_run".to_string(),
        format!("# async fn example(client: {crate_ident}::Client) -> Result<(), Box<dyn std::error::Error>> {{"),
    ];
    lines.extend(uses);
    lines.push(format!("let result = {call}.await?;"));
    lines.push("# let _ = result;".into());
    lines.push("# Ok(())".into());
    lines.push("# }".into());
    lines.push("```".into());
    lines.join("\n")
}

fn example_mentions_models(args: &[String]) -> bool {
    args.iter().any(|a| a.contains("models::"))
}

/// A Rust expression of type `ty`; `name` makes strings read like the parameter they fill.
fn value(api: &Api, ty: &Ty, name: &str, depth: usize) -> String {
    match ty {
        Ty::Bool => "true".into(),
        Ty::I32 | Ty::I64 => "1".into(),
        Ty::F32 | Ty::F64 => "1.0".into(),
        Ty::String => format!("{:?}", format!("my_{name}").replace("my_my_", "my_")),
        Ty::DateTime => "chrono::Utc::now()".into(),
        Ty::Date => "chrono::Utc::now().date_naive()".into(),
        Ty::Uuid => "uuid::Uuid::nil()".into(),
        Ty::Bytes => "Vec::new()".into(),
        Ty::Any => "serde_json::Value::Null".into(),
        Ty::AnyObject | Ty::Map(_) => "Default::default()".into(),
        Ty::List(_) => "Vec::new()".into(),
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
            } else if depth > 4 {
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
