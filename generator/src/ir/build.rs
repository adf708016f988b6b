//! Document → [`Api`]: selects operations by tag, builds them, then settles the type arena.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{APIKeyLocation, OpenAPI, ReferenceOr, SecurityScheme as RawScheme};

use super::names::{camel, snake, Namespace, METHODS};
use super::operations::{OperationBuilder, RawOperation};
use super::recursion::box_cycles;
use super::releases::Support;
use super::types::TypeBuilder;
use super::{
    Api, ErrorType, Method, Operation, Presence, Returns, TagApi, Ty, TypeDef, TypeId, TypeKind,
    Usage,
};
use crate::error::{join, SpecError, SpecResult};
use crate::load::Document;

/// Which operations to build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Operations carrying any of these tags (each goes to the first listed tag it has).
    Tags(Vec<String>),
    /// Every operation; untagged ones go to `default`.
    All,
}

const UNTAGGED: &str = "default";

/// The document's operations for `selection`, and every type they reach, names decided.
pub fn build(doc: &Document, selection: &Selection) -> SpecResult<Api> {
    build_supporting(doc, selection, None, true)
}

/// [`build`] for a client that supports a range of the API's releases: what is newer than
/// the oldest is dated, and what it does not send is optional. Unless `strict`, an operation
/// that cannot be built is left out with a warning rather than failing the document.
pub fn build_supporting(
    doc: &Document,
    selection: &Selection,
    support: Option<&Support>,
    strict: bool,
) -> SpecResult<Api> {
    let api = &doc.api;
    let mut types = TypeBuilder::new(api.components.as_ref(), &doc.schemas_elsewhere);
    let (by_tag, warnings) = collect_operations(doc, selection, &mut types, strict)?;
    check_selected_tags(doc, selection, &by_tag)?;
    let mut apis = tag_apis(doc, by_tag);
    if let Some(support) = support {
        support.date_operations(&mut apis);
    }
    share_params(&mut apis);
    let types = settle_types(std::mem::take(&mut types.types), &mut apis, support)?;
    for api in &mut apis {
        super::paging::detect(api, &types);
    }
    let token_url = accepted_scheme(doc, &apis, |scheme| match scheme {
        RawScheme::OAuth2 { flows, .. } => Some(flows.password.as_ref()?.token_url.clone()),
        _ => None,
    });
    Ok(Api {
        title: api.info.title.clone(),
        version: api.info.version.clone(),
        description: api.info.description.clone(),
        error_types: error_types(&apis, &types),
        token_url: token_url.map(|url| (url.clone(), takes_form(api, &url))),
        api_key_header: api_key_header(doc, &apis),
        basic_auth: accepted_scheme(doc, &apis, |scheme| match scheme {
            RawScheme::HTTP { scheme, .. } => scheme.eq_ignore_ascii_case("basic").then_some(()),
            _ => None,
        })
        .is_some(),
        server_url: server_url(api),
        apis,
        types,
        warnings,
        releases: support.map(Support::releases),
        notes: Default::default(),
    })
}

/// Operations by tag, in document order within a tag.
type ByTag = BTreeMap<String, Vec<Operation>>;

/// Operations by tag, and what the document got wrong that building them worked around.
fn collect_operations<'a>(
    doc: &'a Document,
    selection: &Selection,
    types: &mut TypeBuilder<'a>,
    strict: bool,
) -> SpecResult<(ByTag, Vec<String>)> {
    let api = &doc.api;
    let mut builder = OperationBuilder {
        components: api.components.as_ref(),
        types,
        global_security: api.security.as_ref(),
        prefixes: Namespace::default(),
    };
    let mut by_tag = ByTag::new();
    let mut fn_names: BTreeMap<String, Namespace> = BTreeMap::new();
    let mut seen_ids: BTreeMap<String, String> = BTreeMap::new();
    let webhooks = doc.webhooks.iter().map(|name| join("/webhooks", name));
    let skipped = |at| format!("{at}: webhook skipped (a request the API sends, not a client)");
    let mut warnings: Vec<String> = webhooks.map(skipped).collect();
    for (path, item) in &api.paths.paths {
        let item_pointer = join("/paths", path);
        // A fragment is never sent; APIs.guru's AWS documents add one to tell paths apart.
        let path = path.split_once('#').map_or(path.as_str(), |(sent, _)| sent);
        let ReferenceOr::Item(item) = item else {
            let message = "path items given by `$ref` are not supported";
            let hint = "write the path item inline";
            return Err(SpecError::at(&item_pointer, message).with_hint(hint));
        };
        let operations = item.iter();
        let methods = operations.filter_map(|(key, op)| Some((key, Method::named(key)?, op)));
        for (lower, method, op) in methods {
            let Some(tag) = pick_tag(&op.tags, selection) else {
                continue;
            };
            let pointer = join(&item_pointer, lower);
            if let Some(id) = &op.operation_id {
                // Released documents do repeat operationIds; the later operation still gets a
                // method (with a suffixed name), and the reader is told.
                if let Some(first) = seen_ids.insert(id.clone(), pointer.clone()) {
                    warnings.push(format!(
                        "{pointer}: operationId `{id}` is already used at {first}; \
                         its method gets a suffixed name"
                    ));
                }
            }
            let default_id = || format!("{lower}_{path}");
            let operation_id = op.operation_id.clone().unwrap_or_else(default_id);
            let api_methods = || Namespace::reserving(METHODS.split_whitespace());
            let taken = fn_names.entry(tag.clone()).or_insert_with(api_methods);
            // Named for the path without its own query, as FastAPI names `/uploads` operations.
            let bare = path.split('?').next().unwrap_or_default();
            let fn_name = method_name(&operation_id, bare, lower, taken);
            let raw = RawOperation {
                path,
                method,
                op,
                path_params: &item.parameters,
                pointer,
            };
            let before = builder.types.types.len();
            match builder.build(&raw, fn_name, operation_id.clone()) {
                Ok(built) => by_tag.entry(tag).or_default().push(built),
                Err(e) if strict => return Err(e),
                Err(e) => {
                    builder.types.truncate(before);
                    let (at, why, method) = (&e.pointer, &e.message, method.as_str());
                    let skipped = format!("operation `{operation_id}` ({method} {path}) skipped");
                    warnings.push(format!("{at}: {skipped}: {why}"));
                }
            }
        }
    }
    Ok((by_tag, warnings))
}

/// FastAPI's default operationId is the function's name, the path and the method
/// (`get_pet_pets__pet_id__get`): the method gets the function's name, unless taken.
fn method_name(operation_id: &str, path: &str, method: &str, taken: &mut Namespace) -> String {
    let full = snake(operation_id);
    let route = match path.chars().any(|c| c.is_ascii_alphanumeric()) {
        true => format!("_{}_{method}", snake(path)),
        false => format!("_{method}"),
    };
    match full.strip_suffix(&route) {
        Some(short) if !short.is_empty() && taken.is_free(short) => taken.unique(short.into()),
        _ => taken.unique(full),
    }
}

/// Every tag asked for by name must have an operation.
fn check_selected_tags(doc: &Document, selection: &Selection, by_tag: &ByTag) -> SpecResult<()> {
    let Selection::Tags(wanted) = selection else {
        return Ok(());
    };
    let Some(tag) = wanted.iter().find(|tag| !by_tag.contains_key(*tag)) else {
        return Ok(());
    };
    let tags = doc.api.operations().flat_map(|(_, _, op)| &op.tags);
    let known: BTreeSet<&str> = tags.map(String::as_str).collect();
    let hint = format!("choose among: {}", Vec::from_iter(known).join(", "));
    Err(SpecError::at("/paths", format!("no operation has the tag `{tag}`")).with_hint(hint))
}

/// One API type per tag, named and described.
fn tag_apis(doc: &Document, by_tag: ByTag) -> Vec<TagApi> {
    let mut api_names = Namespace::default();
    Vec::from_iter(by_tag.into_iter().map(|(tag, mut operations)| {
        let type_name = api_names.unique(camel(&format!("{tag} api")));
        let module = super::types::module_name(type_name.trim_end_matches("Api"), "apis");
        // No operation's module is named like its tag's (`login/login.rs`).
        let mut modules = Namespace::reserving([module.as_str()]);
        for op in &mut operations {
            op.module = modules.unique(std::mem::take(&mut op.module));
        }
        // The last tag of that name, when the document repeats one.
        let described = doc.api.tags.iter().rfind(|t| t.name == tag);
        TagApi {
            accessor: accessor_name(&module),
            module,
            description: described.and_then(|t| t.description.clone()),
            type_name,
            tag,
            operations,
        }
    }))
}

/// The arena in its final form: sorted by name (the operations' references follow), usage
/// marked, fields dated, cycles boxed and each field's representation decided.
fn settle_types(
    mut types: Vec<TypeDef>,
    apis: &mut [TagApi],
    support: Option<&Support>,
) -> SpecResult<Vec<TypeDef>> {
    let map = sort_by_name(&mut types);
    // The types operations mention, each with whether clients send it.
    let mut used = Vec::new();
    for op in apis.iter_mut().flat_map(|a| a.operations.iter_mut()) {
        for case in &mut op.errors {
            case.ty = case.ty.map(|id| map[id.0]);
            used.extend(case.ty.map(|id| (id, false)));
        }
        for (ty, sent) in op_tys_mut(op) {
            ty.remap(&map);
            used.extend(ty.named().into_iter().map(|id| (id, sent)));
        }
    }
    mark_usage(&mut types, used);
    if let Some(support) = support {
        support.date_fields(&mut types);
    }
    if let Some(id) = super::recursion::alias_cycle(&types) {
        let def = &types[id.0];
        let message = format!("schema `{}` is defined only in terms of itself", def.name);
        let hint = "give it structure (an object with properties) or break the chain of references";
        return Err(SpecError::at(&def.pointer, message).with_hint(hint));
    }
    box_cycles(&mut types);
    settle_presence(&mut types);
    Ok(types)
}

/// Variant names `ErrorBody` always has, for bodies with no documented type.
const UNTYPED_ERROR_VARIANTS: [&str; 3] = ["Json", "Text", "Empty"];

/// The types used as error bodies, each with its variant name in `ErrorBody`.
fn error_types(apis: &[TagApi], types: &[TypeDef]) -> Vec<ErrorType> {
    let ops = apis.iter().flat_map(|a| &a.operations);
    let error_ids: BTreeSet<TypeId> = ops.flat_map(|o| &o.errors).filter_map(|e| e.ty).collect();
    let mut variant_names = Namespace::reserving(UNTYPED_ERROR_VARIANTS);
    Vec::from_iter(error_ids.into_iter().map(|ty| ErrorType {
        variant: variant_names.unique(types[ty.0].name.clone()),
        ty,
    }))
}

/// Methods the runtime's `Client` already has, private ones too: an
/// accessor of the same name would be a second definition.
const CLIENT_METHODS: &str =
    "authorize base_url bearer builder call clone deadline fetch_token fmt \
    has_release http login new paged relogin request retry_policy server_version set_token \
    supports url url_with_query";

/// The `Client` method that returns a tag's API type (`client.task_instance()`).
fn accessor_name(module: &str) -> String {
    match CLIENT_METHODS.split_whitespace().any(|m| m == module) {
        true => format!("{module}_api"),
        false => module.to_string(),
    }
}

fn pick_tag(tags: &[String], selection: &Selection) -> Option<String> {
    match selection {
        Selection::All => Some(tags.first().map_or(UNTAGGED, String::as_str).to_string()),
        Selection::Tags(wanted) => wanted.iter().find(|w| tags.contains(w)).cloned(),
    }
}

/// The types of an operation's parameters, body and success responses, each with whether sent.
fn op_tys_mut(op: &mut Operation) -> Vec<(&mut Ty, bool)> {
    let mut tys: Vec<_> = op.params.iter_mut().map(|p| (&mut p.ty, true)).collect();
    tys.extend(op.body.as_mut().map(|body| (&mut body.ty, true)));
    match &mut op.returns {
        Returns::Unit => {}
        Returns::One(content) => tys.push((&mut content.ty, false)),
        Returns::Choice { variants, .. } => {
            let contents = variants.iter_mut().filter_map(|v| v.content.as_mut());
            tys.extend(contents.map(|c| (&mut c.ty, false)));
        }
    }
    tys
}

/// Marks which types are sent and which are received, following every reference from the
/// types operations mention (`used`, each with whether clients send it).
fn mark_usage(types: &mut [TypeDef], mut used: Vec<(TypeId, bool)>) {
    while let Some((id, sent)) = used.pop() {
        let Usage { request, response } = &mut types[id.0].usage;
        if std::mem::replace(if sent { request } else { response }, true) {
            continue;
        }
        let next = types[id.0].kind.tys().into_iter().flat_map(Ty::named);
        used.extend(next.map(|next| (next, sent)));
    }
}

/// Decides each field's representation from requiredness, nullability and usage: a type sent
/// by clients gets a tri-state for optional nullable fields, since PATCH tells null from absent.
fn settle_presence(types: &mut [TypeDef]) {
    let is_const = |t: &TypeDef| matches!(t.kind, TypeKind::Const(_));
    let constants: Vec<bool> = types.iter().map(is_const).collect();
    for def in types.iter_mut() {
        let Usage { request, response } = def.usage;
        let TypeKind::Struct(s) = &mut def.kind else {
            continue;
        };
        for field in &mut s.fields {
            let constant = matches!(field.ty, Ty::Named(id) if constants[id.0]);
            // Clients do not send a read-only field, nor servers answer with a write-only one.
            let one_way = (field.read_only && request) || (field.write_only && response);
            let required = field.required && !one_way;
            field.presence = match (required, matches!(field.ty, Ty::Nullable(_))) {
                _ if constant => Presence::Constant,
                (true, false) => Presence::Required,
                (true, true) => Presence::RequiredNullable,
                (false, true) if request => Presence::Tristate,
                (false, _) => Presence::Optional,
            };
        }
    }
}

/// Sorts the arena by name and returns old id → new id.
fn sort_by_name(types: &mut Vec<TypeDef>) -> Vec<TypeId> {
    let mut sorted: Vec<(usize, TypeDef)> = std::mem::take(types).into_iter().enumerate().collect();
    sorted.sort_by(|(_, a), (_, b)| a.name.cmp(&b.name));
    let mut map = vec![TypeId(0); sorted.len()];
    for (new, (old, _)) in sorted.iter().enumerate() {
        map[*old] = TypeId(new);
    }
    for (_, mut def) in sorted {
        def.kind.tys_mut().into_iter().for_each(|ty| ty.remap(&map));
        types.push(def);
    }
    map
}

/// The header an API key scheme some selected operation accepts sends its key in, lower-cased
/// for `HeaderName::from_static`, and a cookie's name (none when the name is no token). A header
/// wins: a cookie beside one is most often a browser's session (Overseerr's `connect.sid`).
fn api_key_header(doc: &Document, apis: &[TagApi]) -> Option<(String, Option<String>)> {
    let key_in = |wanted| {
        accepted_scheme(doc, apis, |scheme| match scheme {
            RawScheme::APIKey { location, name, .. } if *location == wanted => Some(name.clone()),
            _ => None,
        })
    };
    let (header, cookie) = match key_in(APIKeyLocation::Header) {
        Some(name) => (name.to_ascii_lowercase(), None),
        None => ("cookie".into(), Some(key_in(APIKeyLocation::Cookie)?)),
    };
    let token = |b: u8| b.is_ascii_alphanumeric() || b"-_.".contains(&b);
    let name = cookie.as_ref().unwrap_or(&header);
    name.bytes().all(token).then_some((header, cookie))
}

/// The first server's URL with its variables at their defaults, on a local host when the
/// document gives only a path (`/api/v1`); without one, a local server's root.
fn server_url(api: &OpenAPI) -> String {
    let server = api.servers.first();
    let mut url = server.map_or(String::new(), |s| s.url.clone());
    for (name, variable) in server.iter().flat_map(|s| s.variables.iter().flatten()) {
        url = url.replace(&format!("{{{name}}}"), &variable.default);
    }
    if !url.contains("://") {
        url = format!("http://localhost:8080/{}", url.trim_start_matches('/'));
    }
    url.trim_end_matches('/').into()
}

/// Whether the document's POST at `url` (relative or absolute) takes RFC 6749's form; Airflow's,
/// absent from its document, takes JSON.
fn takes_form(api: &OpenAPI, url: &str) -> bool {
    let url = format!("/{}", url.trim_start_matches('/'));
    // The longest path the URL ends with (`/auth/token`, not `/token`, when both are there).
    let ends = |(path, _): &(&String, _)| url.ends_with(path.as_str());
    let paths = api.paths.paths.iter().filter(ends);
    let longest = paths.max_by_key(|(path, _)| path.len());
    let item = longest.and_then(|(_, item)| item.as_item());
    let body = item.and_then(|item| item.post.as_ref()?.request_body.as_ref()?.as_item());
    let form = |media: &String| media.starts_with("application/x-www-form-urlencoded");
    body.is_some_and(|b| b.content.keys().any(form))
}

/// What `pick` finds in the first security scheme some selected operation accepts that has it.
fn accepted_scheme<'d, T>(
    doc: &'d Document,
    apis: &[TagApi],
    pick: impl Fn(&'d RawScheme) -> Option<T>,
) -> Option<T> {
    let schemes = &doc.api.components.as_ref()?.security_schemes;
    let operations = apis.iter().flat_map(|a| &a.operations);
    let mut names = operations.flat_map(|o| &o.security);
    names.find_map(|name| pick(schemes.get(name)?.as_item()?))
}

/// Operations of a tag with the same optional parameters (a call and its dry run, say) take one
/// struct, the first one's (by another name), so parameters built for one serve the other.
fn share_params(apis: &mut [TagApi]) {
    for api in apis {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for op in &mut api.operations {
            let Some(own) = &op.params_type else { continue };
            let optional: Vec<_> = op.optional_params().collect();
            let key = serde_json::to_string(&optional).unwrap_or_default();
            op.params_same_as = seen.get(&key).cloned();
            seen.entry(key).or_insert_with(|| own.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::accessor_name;

    /// Every method an `impl Client` of the templates defines, in `dir` and below.
    fn client_methods(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                client_methods(&path, found);
                continue;
            }
            let file = syn::parse_file(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for item in file.items {
                let syn::Item::Impl(block) = item else {
                    continue;
                };
                let syn::Type::Path(ty) = &*block.self_ty else {
                    continue;
                };
                if ty.path.is_ident("Client") {
                    for member in block.items {
                        if let syn::ImplItem::Fn(f) = member {
                            found.push(f.sig.ident.to_string());
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn accessors_avoid_every_method_the_runtime_clients_have() {
        let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates/src");
        let mut found = Vec::new();
        client_methods(&templates, &mut found);
        // A method the list misses is one a tag's accessor would keep the name of.
        found.retain(|m| accessor_name(m) == *m);
        assert!(found.is_empty(), "add to CLIENT_METHODS: {found:?}");
    }
}
