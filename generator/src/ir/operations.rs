//! Paths and operations → [`Operation`]s, with their parameters, bodies and responses.

use std::{collections::BTreeSet, mem::discriminant};

use indexmap::IndexMap;
use openapiv3::{
    Components, MediaType, Parameter, ParameterSchemaOrContent, QueryStyle, ReferenceOr,
    RequestBody, Response, SecurityRequirement, StatusCode,
};
use serde_json::json;

use super::names::{camel, snake, type_name, unraw, Namespace};
use super::refs;
use super::types::{Site, TypeBuilder};
use super::{
    Body, Content, ErrorCase, MediaKind, Method, Operation, Param, ParamLocation, ParamStyle,
    PathPart, ReturnVariant, Returns, Status, Ty,
};
use crate::error::{join, SpecError, SpecResult};

/// An operation as found in the document, before it is turned into IR.
pub struct RawOperation<'a> {
    pub path: &'a str,
    pub method: Method,
    pub op: &'a openapiv3::Operation,
    pub path_params: &'a [ReferenceOr<Parameter>],
    pub pointer: String,
}

pub struct OperationBuilder<'a, 'b> {
    pub components: Option<&'a Components>,
    pub types: &'b mut TypeBuilder<'a>,
    pub global_security: Option<&'a Vec<SecurityRequirement>>,
    /// Names that prefix an operation's types (`{name}Params`), unique across tags: `apis`
    /// re-exports every tag's, and two tags may have a method of one name.
    pub prefixes: Namespace,
}

impl<'a> OperationBuilder<'a, '_> {
    pub fn build(
        &mut self,
        raw: &RawOperation<'a>,
        fn_name: String,
        operation_id: String,
    ) -> SpecResult<Operation> {
        // From the method name, so operationIds that collide after case conversion (`getFoo`,
        // `get_foo`) still get distinct parameter and response types.
        let site = Site::new(self.prefixes.unique(camel(&fn_name)), &raw.pointer);
        // Required parameters in the order the document declares them (the order the Python
        // client takes them in, so ported code keeps its meaning), then optional ones.
        let mut params = self.params(raw, &site.name)?;
        params.sort_by_key(|p| !p.required);
        let path_parts = path_parts(raw, &params)?;
        let optional = params.iter().any(|p| !p.required);
        let params_type = optional.then(|| format!("{}Params", site.name));
        let body = raw.op.request_body.as_ref().map(|b| self.body(b, &site));
        let body = body.transpose()?.flatten();
        let (returns, errors, accept) = self.responses(raw, &site)?;
        let asks = |p: &Param| {
            p.location == ParamLocation::Header && p.name.eq_ignore_ascii_case("accept")
        };
        let accept = accept.filter(|_| !params.iter().any(asks));
        Ok(Operation {
            operation_id,
            module: unraw(&fn_name),
            fn_name,
            method: raw.method,
            path: raw.path.to_string(),
            path_parts,
            summary: raw.op.summary.clone(),
            description: raw.op.description.clone(),
            deprecated: raw.op.deprecated,
            params,
            params_type,
            params_same_as: None,
            body,
            returns,
            accept,
            errors,
            security: self.security(raw.op),
            paging: None,
            since: None,
            pointer: raw.pointer.clone(),
        })
    }

    fn params(&mut self, raw: &RawOperation<'a>, base: &str) -> SpecResult<Vec<Param>> {
        // Operation-level parameters override path-level ones with the same name and location.
        let mut found: Vec<(&Parameter, String)> = Vec::new();
        let parameters = self.components.map(|c| &c.parameters);
        let item = join("/paths", raw.path);
        // Each placeholder starts as a text parameter that a declared one replaces: NestJS
        // leaves some undeclared, and their operations would be left out.
        let text = |(name, _)| json!({"name": name, "in": "path", "schema": {"type": "string"}});
        let placeholders = raw.path.split('{').skip(1).flat_map(|s| s.split_once('}'));
        let guessed = serde_json::Value::from_iter(placeholders.map(text));
        let guessed: Vec<_> = serde_json::from_value(guessed).unwrap_or_default();
        for (list, pointer) in [
            (&guessed[..], join(&raw.pointer, "parameters")),
            (raw.path_params, join(&item, "parameters")),
            (&raw.op.parameters[..], join(&raw.pointer, "parameters")),
        ] {
            for (i, p) in list.iter().enumerate() {
                let here = format!("{pointer}/{i}");
                let param = refs::resolve(p, parameters, ("parameters", "parameter"), &here)?;
                let data = param.parameter_data_ref();
                // OpenAPI ignores these: the body and the client's credential say them.
                let said = ["content-type", "authorization"].contains(&&*data.name.to_lowercase());
                if said && matches!(param, Parameter::Header { .. }) {
                    continue;
                }
                found.retain(|(q, _)| {
                    !(q.parameter_data_ref().name == data.name
                        && discriminant(*q) == discriminant(param))
                });
                found.push((param, here));
            }
        }
        let mut names = Namespace::reserving(["body", "params", "request", "self", "client"]);
        let build = |(param, pointer): (_, String)| self.param(param, &pointer, base, &mut names);
        found.into_iter().map(build).collect()
    }

    fn param(
        &mut self,
        param: &Parameter,
        pointer: &str,
        base: &str,
        names: &mut Namespace,
    ) -> SpecResult<Param> {
        let data = param.parameter_data_ref();
        let (location, style, explode_default) = match param {
            Parameter::Query { style, .. } => (
                ParamLocation::Query,
                match style {
                    QueryStyle::Form => ParamStyle::Form,
                    QueryStyle::SpaceDelimited => ParamStyle::SpaceDelimited,
                    QueryStyle::PipeDelimited => ParamStyle::PipeDelimited,
                    QueryStyle::DeepObject => ParamStyle::DeepObject,
                },
                true,
            ),
            Parameter::Path { style, .. } => {
                if !matches!(style, openapiv3::PathStyle::Simple) {
                    let (name, style) = (&data.name, format!("{style:?}").to_lowercase());
                    let message = format!("path parameter `{name}` uses style `{style}`, which this client cannot send");
                    let hint = "use `style: simple` (the default) for path parameters";
                    return Err(SpecError::at(join(pointer, "style"), message).with_hint(hint));
                }
                (ParamLocation::Path, ParamStyle::Simple, false)
            }
            Parameter::Header { .. } => (ParamLocation::Header, ParamStyle::Simple, false),
            Parameter::Cookie { .. } => (ParamLocation::Cookie, ParamStyle::Form, true),
        };
        let (ty, default) = match &data.format {
            ParameterSchemaOrContent::Schema(schema) => {
                let name = format!("{base}{}", camel(&data.name));
                let at = Site::new(name, join(pointer, "schema"));
                let default = schema.as_item().and_then(|s| s.schema_data.default.clone());
                (self.types.ty(schema, &at)?, default)
            }
            // A parameter described by content is sent as its serialised text.
            ParameterSchemaOrContent::Content(_) => (Ty::String, None),
        };
        // A parameter cannot carry null: an unset optional one is simply not sent.
        let ty = ty.non_null().clone();
        // A free-form object outside the query (Mastodon's `Idempotency-Key`, a string in truth)
        // has no one text form: any JSON value, a string among them.
        let free = location != ParamLocation::Query && ty == Ty::AnyObject;
        let ty = if free { Ty::Any } else { ty };
        if location == ParamLocation::Path && matches!(ty, Ty::Map(_)) {
            let name = &data.name;
            let message = format!("object-valued path parameter `{name}` is not supported");
            let hint = "use a string or scalar schema for a path parameter";
            return Err(SpecError::at(join(pointer, "schema"), message).with_hint(hint));
        }
        let rust_name = names.unique(snake(&data.name));
        let required = data.required || location == ParamLocation::Path;
        // A required integer is an argument: a type of its own keeps two from being swapped.
        let integer = matches!(ty, Ty::I32 | Ty::I64);
        let id_type = (required && integer).then(|| type_name(&rust_name));
        Ok(Param {
            name: data.name.clone(),
            rust_name,
            location,
            required,
            id_type,
            ty,
            style,
            explode: data.explode.unwrap_or(explode_default),
            default,
            description: data.description.clone(),
            deprecated: data.deprecated.unwrap_or(false),
            since: None,
        })
    }

    fn body(&mut self, body: &'a ReferenceOr<RequestBody>, op: &Site) -> SpecResult<Option<Body>> {
        let pointer = join(&op.pointer, "requestBody");
        let bodies = self.components.map(|c| &c.request_bodies);
        let body = refs::resolve(body, bodies, ("requestBodies", "request body"), &pointer)?;
        let Some((media_type, media, mut kind)) = pick_media(&body.content) else {
            return Ok(None);
        };
        let deep = |e: &openapiv3::Encoding| e.style == Some(QueryStyle::DeepObject);
        if kind == MediaKind::Form && media.encoding.values().any(deep) {
            kind = MediaKind::BracketForm;
        }
        let site = op.nested("Body", &["requestBody", "content", media_type, "schema"]);
        let mut ty = self.content_ty(media, kind, &site)?;
        let mut sent = media_type;
        // A wildcard body of a structured schema (swagger-core's `*/*`, a method that names no
        // media type) is JSON; any other goes as plain bytes, a wildcard being no type to send.
        if media_type.contains('*') {
            (sent, kind, ty) = match self.content_ty(media, MediaKind::Json, &site)? {
                Ty::String | Ty::Bytes | Ty::Any => ("application/octet-stream", kind, ty),
                json => ("application/json", MediaKind::Json, json),
            };
        }
        let object = matches!(ty, Ty::Named(_) | Ty::Map(_) | Ty::AnyObject | Ty::Any);
        if kind == MediaKind::Multipart && !object {
            let message = "a multipart body must be an object";
            return Err(SpecError::at(site.pointer, message));
        }
        Ok(Some(Body {
            media_type: sent.to_string(),
            kind,
            ty,
            required: body.required,
            description: body.description.clone(),
        }))
    }

    /// What a call returns on success (nothing, one body, or a choice by status and media
    /// type), the typed error body of each documented error status, and the `Accept` header
    /// that asks for what the result reads (JSON first) when the successes offer several.
    fn responses(
        &mut self,
        raw: &RawOperation<'a>,
        op: &Site,
    ) -> SpecResult<(Returns, Vec<ErrorCase>, Option<String>)> {
        let responses = &raw.op.responses;
        let entry = |(code, r): (&StatusCode, &'a ReferenceOr<Response>)| match code {
            StatusCode::Code(c) => (Status::Code(*c), r, c.to_string()),
            StatusCode::Range(n) => (Status::Range(*n), r, format!("{n}XX")),
        };
        let mut entries: Vec<_> = responses.responses.iter().map(entry).collect();
        let default = responses.default.as_ref();
        entries.extend(default.map(|r| (Status::Default, r, "default".to_string())));
        entries.sort_by_key(|(status, _, _)| *status);

        let mut successes: Vec<ReturnVariant> = Vec::new();
        let mut errors = Vec::new();
        // With no success declared (springdoc's `default` alone), `default` is the answer.
        let only_default = !entries.iter().any(|(s, _, _)| s.is_success());
        let success = |s: Status| s.is_success() || (only_default && s == Status::Default);
        let many_success = entries.iter().filter(|(s, _, _)| success(*s)).count() > 1;
        let (mut offered, mut read) = (BTreeSet::new(), BTreeSet::new());
        let components = self.components.map(|c| &c.responses);
        for (status, response, key) in entries {
            let at = op.nested("", &["responses", &key]);
            let what = ("responses", "response");
            let response = refs::resolve(response, components, what, &at.pointer)?;
            let description = response.description.clone();
            if !success(status) {
                let mut json = response.content.iter();
                let json = json.find(|(m, _)| media_kind(m) == Some(MediaKind::Json));
                let mut ty = None;
                if let Some((m, media)) = json {
                    let name = format!("Error{}", status_name(status));
                    let site = at.nested(name, &["content", m, "schema"]);
                    if let Ty::Named(id) = self.content_ty(media, MediaKind::Json, &site)? {
                        ty = Some(id);
                    }
                }
                errors.push(ErrorCase {
                    status,
                    description,
                    ty,
                });
                continue;
            }
            offered.extend(response.content.keys().map(|m| media_essence(m)));
            let decoded = response.content.iter().filter_map(|(m, media)| {
                let kind = media_kind(m).filter(|k| *k != MediaKind::Multipart)?;
                Some((m.as_str(), media, kind))
            });
            let mut supported: Vec<_> = decoded.collect();
            // A body this client does not decode (XML, a spreadsheet, multipart) is still the
            // caller's: its bytes, when nothing it decodes is offered beside it.
            if supported.is_empty() {
                supported.extend(as_bytes(&response.content));
            }
            // An answer is told by its media type's essence: of `application/json` and
            // `application/json;stream=watch` (Kubernetes), the first is read.
            let mut essences = BTreeSet::new();
            supported.retain(|(m, _, _)| essences.insert(media_essence(m)));
            if supported.is_empty() {
                successes.push(ReturnVariant {
                    name: status_name(status),
                    status,
                    content: None,
                    description,
                });
                continue;
            }
            let by_status = many_success.then(|| status_name(status));
            let by_status = by_status.unwrap_or_default();
            for &(media_type, media, mut kind) in &supported {
                let name = format!("Response{by_status}");
                let site = at.nested(name, &["content", media_type, "schema"]);
                let mut ty = self.content_ty(media, kind, &site)?;
                // As for a body: a wildcard answer (springdoc's `*/*`) of a structured schema.
                if media_type.contains('*') {
                    let json = self.content_ty(media, MediaKind::Json, &site)?;
                    if !matches!(json, Ty::String | Ty::Bytes | Ty::Any) {
                        (kind, ty) = (MediaKind::Json, json);
                    }
                }
                read.insert((kind != MediaKind::Json, media_essence(media_type)));
                let name = match many_success && supported.len() == 1 {
                    true => by_status.clone(),
                    false => format!("{by_status}{}", kind_name(kind, media_type)),
                };
                successes.push(ReturnVariant {
                    name,
                    status,
                    content: Some(Content {
                        media_type: media_type.to_string(),
                        kind,
                        ty,
                    }),
                    description: description.clone(),
                });
            }
        }
        let returns = if successes.iter().all(|v| v.content.is_none()) {
            Returns::Unit
        } else if successes.len() == 1 {
            let only = successes.remove(0);
            Returns::One(only.content.expect("counted one with content"))
        } else {
            let mut names = Namespace::default();
            for v in &mut successes {
                v.name = names.unique(std::mem::take(&mut v.name));
            }
            Returns::Choice {
                type_name: format!("{}Response", op.name),
                variants: successes,
            }
        };
        let quality = |(other, m): (bool, String)| if other { m + ";q=0.9" } else { m };
        let read: Vec<String> = read.into_iter().map(quality).collect();
        let accept = (offered.len() > 1 && !read.is_empty()).then(|| read.join(", "));
        Ok((returns, errors, accept))
    }

    /// A body's type: its schema's for JSON, forms, multipart (files for binary strings) and events.
    fn content_ty(&mut self, media: &MediaType, kind: MediaKind, site: &Site) -> SpecResult<Ty> {
        let schema = match (kind, &media.schema) {
            (MediaKind::Text, _) => return Ok(Ty::String),
            (MediaKind::Binary, _) => return Ok(Ty::Bytes),
            // An NDJSON body's schema describes the text; lines decode on demand.
            (MediaKind::Ndjson, _) | (_, None) => return Ok(Ty::Any),
            (_, Some(schema)) => schema,
        };
        self.types.files = kind == MediaKind::Multipart;
        let ty = self.types.ty(schema, site);
        self.types.files = false;
        ty
    }

    fn security(&self, op: &openapiv3::Operation) -> Vec<String> {
        let requirements = op.security.as_ref().or(self.global_security);
        let names = requirements.into_iter().flatten().flat_map(|r| r.keys());
        let names: indexmap::IndexSet<&String> = names.collect();
        names.into_iter().cloned().collect()
    }
}

/// Splits `/a/{b}/c` into literals and parameter references.
fn path_parts(raw: &RawOperation, params: &[Param]) -> SpecResult<Vec<PathPart>> {
    let mut parts = Vec::new();
    let mut rest = raw.path;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            parts.push(PathPart::Literal(rest[..open].to_string()));
        }
        let item = raw.pointer.rsplit_once('/').map_or("", |(p, _)| p);
        let unclosed = || SpecError::at(item, "unclosed `{` in the path template");
        let close = open + rest[open..].find('}').ok_or_else(unclosed)?;
        let name = &rest[open + 1..close];
        let declared = |p: &Param| p.name == name && p.location == ParamLocation::Path;
        let index = params.iter().position(declared).ok_or_else(|| {
            let message = format!(
                "path template names `{{{name}}}` but no path parameter `{name}` is declared"
            );
            let hint = format!("add a parameter with `name: {name}` and `in: path`");
            SpecError::at(join(&raw.pointer, "parameters"), message).with_hint(hint)
        })?;
        parts.push(PathPart::Param(index));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        parts.push(PathPart::Literal(rest.to_string()));
    }
    for p in params.iter().filter(|p| p.location == ParamLocation::Path) {
        if !raw.path.contains(&format!("{{{}}}", p.name)) {
            let (name, path) = (&p.name, raw.path);
            let message = format!("path parameter `{name}` does not appear in the path `{path}`");
            let hint = "name it in the path template or make it a query parameter";
            return Err(SpecError::at(join(&raw.pointer, "parameters"), message).with_hint(hint));
        }
    }
    Ok(parts)
}

/// The media type without parameters, lower-cased (`application/json`), as `Content-Type` matches.
pub fn media_essence(media_type: &str) -> String {
    let essence = media_type.split(';').next().unwrap_or_default();
    essence.trim().to_ascii_lowercase()
}

pub fn media_kind(media_type: &str) -> Option<MediaKind> {
    Some(match media_essence(media_type).as_str() {
        m if m == "application/json" || m.ends_with("+json") => MediaKind::Json,
        "application/x-ndjson"
        | "application/jsonl"
        | "application/x-jsonlines"
        | "application/jsonlines" => MediaKind::Ndjson,
        "application/x-www-form-urlencoded" => MediaKind::Form,
        "multipart/form-data" => MediaKind::Multipart,
        "text/event-stream" => MediaKind::Events,
        m if m.starts_with("text/") => MediaKind::Text,
        "application/octet-stream" | "*/*" | "application/pdf" => MediaKind::Binary,
        // A file by its own type (an image, an archive): its bytes, sent and read as they are.
        m if m.starts_with("image/") || m.ends_with("/zip") => MediaKind::Binary,
        _ => return None,
    })
}

/// The request media type to send: JSON first, then the others this client can encode, then
/// any other (XML, say) as bytes the caller encodes.
fn pick_media(content: &IndexMap<String, MediaType>) -> Option<(&str, &MediaType, MediaKind)> {
    use MediaKind::{Binary, Form, Json, Multipart, Text};
    let mut kinds = [Json, Form, Multipart, Text, Binary].into_iter();
    let known = kinds.find_map(|want| {
        let (m, media) = content.iter().find(|(m, _)| media_kind(m) == Some(want))?;
        Some((m.as_str(), media, want))
    });
    known.or_else(|| as_bytes(content))
}

/// The first media type offered, as bytes the caller encodes or decodes.
fn as_bytes(content: &IndexMap<String, MediaType>) -> Option<(&str, &MediaType, MediaKind)> {
    let (m, media) = content.first()?;
    Some((m.as_str(), media, MediaKind::Binary))
}

fn status_name(status: Status) -> String {
    match status {
        Status::Default => "Default".into(),
        other => format!("Status{}", other.text()),
    }
}

fn kind_name(kind: MediaKind, media_type: &str) -> String {
    match kind {
        MediaKind::Json if media_type == "application/json" => "Json".into(),
        MediaKind::Ndjson => "Ndjson".into(),
        MediaKind::Text if media_type.starts_with("text/plain") => "Text".into(),
        MediaKind::Binary => "Bytes".into(),
        _ => camel(media_type),
    }
}
