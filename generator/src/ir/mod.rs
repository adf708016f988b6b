//! The intermediate representation: plain data about operations and types, with every Rust
//! name already decided. Nothing here knows about `openapiv3`, and nothing is Airflow-specific.

mod build;
mod names;
mod operations;
mod paging;
mod recursion;
mod refs;
mod releases;
mod types;

pub use build::{build, build_supporting, Selection};
pub use names::{is_keyword, Namespace, METHODS};
pub use operations::media_essence;
pub use releases::Support;

use serde::Serialize;
use serde_json::Value;

/// Index of a type in [`Api::types`]. Types are sorted by name, so ids are stable for a spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct TypeId(pub usize);

#[derive(Debug, Clone, Serialize)]
pub struct Api {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    pub apis: Vec<TagApi>,
    /// Every type the selected operations reach, sorted by name.
    pub types: Vec<TypeDef>,
    /// Types used as error bodies, in name order, with their variant names in `ErrorBody`.
    pub error_types: Vec<ErrorType>,
    /// Where a username and password are exchanged for a token (an OAuth2 password flow), and
    /// whether as RFC 6749's form (the document's own endpoint takes one) rather than JSON.
    pub token_url: Option<(String, bool)>,
    /// The header an API key goes in (`x-api-key`), when a scheme sends one so, with the
    /// cookie's name when the scheme sends a cookie (the header is then `cookie`).
    pub api_key_header: Option<(String, Option<String>)>,
    /// Whether a scheme takes HTTP basic credentials (a username and a password).
    pub basic_auth: bool,
    /// The URL a client of the document's server is built with (`https://api.example.com/v1`).
    pub server_url: String,
    /// Things the document got wrong that generation worked around, for the user to see.
    pub warnings: Vec<String>,
    /// The releases of the API the client supports, when its release history is known.
    pub releases: Option<Releases>,
    /// What the document does not say, written by hand (the templates' `notes.yaml`).
    pub notes: Notes,
}

/// Hand-written additions to the docs: enum values examples prefer (the first of these a
/// type has, else its first), and Markdown notes by operationId.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Notes {
    pub example_values: Vec<String>,
    pub operations: std::collections::BTreeMap<String, String>,
}

/// The range of releases a client supports.
#[derive(Debug, Clone, Serialize)]
pub struct Releases {
    /// What they are releases of (`Airflow`).
    pub product: String,
    pub oldest: String,
    pub newest: String,
    /// Where a server tells its version: a path, and the field of its answer.
    pub version_endpoint: Option<(String, String)>,
}

impl Api {
    pub fn ty(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }

    pub fn operations(&self) -> impl Iterator<Item = (&TagApi, &Operation)> {
        let apis = self.apis.iter();
        apis.flat_map(|api| api.operations.iter().map(move |op| (api, op)))
    }

    /// The `ErrorBody` variant that holds error bodies of type `ty`.
    pub fn error_variant(&self, ty: TypeId) -> Option<&str> {
        Some(&self.error_types.iter().find(|e| e.ty == ty)?.variant)
    }
}

/// A typed error body: a variant of the emitted `ErrorBody` enum.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorType {
    pub variant: String,
    pub ty: TypeId,
}

/// One tag of the document, emitted as one API type.
#[derive(Debug, Clone, Serialize)]
pub struct TagApi {
    pub tag: String,
    pub type_name: String,
    pub module: String,
    /// The `Client` method that returns this API type.
    pub accessor: String,
    pub description: Option<String>,
    pub operations: Vec<Operation>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Operation {
    pub operation_id: String,
    pub fn_name: String,
    /// File stem of the module the operation's code lives in.
    pub module: String,
    pub method: Method,
    pub path: String,
    pub path_parts: Vec<PathPart>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
    /// Required parameters in the document's order, then optional ones.
    pub params: Vec<Param>,
    /// Name of the struct that carries the optional parameters, when there are any.
    pub params_type: Option<String>,
    /// The earlier operation's struct `params_type` names, when their optional parameters are
    /// the same: `params_type` is then that struct's other name.
    pub params_same_as: Option<String>,
    pub body: Option<Body>,
    pub returns: Returns,
    /// The `Accept` header to send when the responses offer several media types.
    pub accept: Option<String>,
    pub errors: Vec<ErrorCase>,
    /// Names of the security schemes any of which the operation accepts; empty when anonymous.
    pub security: Vec<String>,
    /// Set when the operation pages with `limit`/`offset` and reports a total.
    pub paging: Option<Paging>,
    /// The release that added the operation, when it is newer than the oldest supported.
    pub since: Option<String>,
    pub pointer: String,
}

/// How a list operation pages: enough to stream every item.
#[derive(Debug, Clone, Serialize)]
pub struct Paging {
    /// Name of the streaming method.
    pub fn_name: String,
    /// Rust names of the `limit` and `offset` parameters.
    pub limit: String,
    pub offset: String,
    /// Rust names of the response's list field and total-count field.
    pub items: String,
    pub total: String,
    /// How the total is represented; when it may be missing or null (cursor mode) the stream
    /// stops on a short page.
    pub total_presence: Presence,
    pub item: Ty,
    /// Set when the operation also pages by keyset cursor, which loses nothing to items added
    /// or removed while a stream runs.
    pub cursor: Option<CursorPaging>,
}

/// Keyset paging: a `cursor` parameter (empty starts it), and the response's next cursor.
#[derive(Debug, Clone, Serialize)]
pub struct CursorPaging {
    /// Rust name of the `cursor` parameter.
    pub param: String,
    /// Rust name of the response's next-cursor field, and its representation.
    pub next: String,
    pub next_presence: Presence,
    /// The release that added the cursor, when newer than the oldest supported.
    pub since: Option<String>,
}

impl Operation {
    pub fn required_params(&self) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(|p| p.required)
    }

    pub fn optional_params(&self) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(|p| !p.required)
    }

    /// The path parameters, in the order the path template names them.
    pub fn path_params(&self) -> impl Iterator<Item = &Param> {
        self.path_parts.iter().filter_map(|part| match part {
            PathPart::Param(i) => Some(&self.params[*i]),
            PathPart::Literal(_) => None,
        })
    }
}

/// An HTTP method, as sent (`GET`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Method(&'static str);

impl Method {
    pub const GET: Method = Method("GET");

    /// The method a path item's key names (`get`), if it names one.
    pub fn named(key: &str) -> Option<Method> {
        let mut all = "GET PUT POST DELETE OPTIONS HEAD PATCH TRACE".split(' ');
        all.find(|m| m.eq_ignore_ascii_case(key)).map(Method)
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum PathPart {
    Literal(String),
    /// Index into [`Operation::params`].
    Param(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ParamStyle {
    /// `a=1&a=2` (explode) or `a=1,2`.
    Form,
    /// `1,2` in paths and headers.
    Simple,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
}

#[derive(Debug, Clone, Serialize)]
pub struct Param {
    /// The name on the wire.
    pub name: String,
    pub rust_name: String,
    pub location: ParamLocation,
    pub required: bool,
    /// The own type a required integer is passed as (`MapIndex`), shared by parameters so named.
    pub id_type: Option<String>,
    pub ty: Ty,
    pub style: ParamStyle,
    pub explode: bool,
    pub default: Option<Value>,
    pub description: Option<String>,
    pub deprecated: bool,
    /// The release that added the parameter, when it is newer than the oldest supported.
    pub since: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Body {
    pub media_type: String,
    pub kind: MediaKind,
    pub ty: Ty,
    pub required: bool,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MediaKind {
    Json,
    /// Newline-delimited JSON: one value per line.
    Ndjson,
    /// Server-sent events (`text/event-stream`), read as they arrive.
    Events,
    Text,
    Form,
    /// A form whose document asks for `deepObject` members: `address[city]=Berlin`.
    BracketForm,
    /// `multipart/form-data`: a struct's fields as parts, files among them.
    Multipart,
    Binary,
}

/// What a successful call returns.
#[derive(Debug, Clone, Serialize)]
pub enum Returns {
    /// No body.
    Unit,
    One(Content),
    /// Several media types or statuses with different bodies: an enum picked by the response.
    Choice {
        type_name: String,
        variants: Vec<ReturnVariant>,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct Content {
    pub media_type: String,
    pub kind: MediaKind,
    pub ty: Ty,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReturnVariant {
    pub name: String,
    pub status: Status,
    pub content: Option<Content>,
    pub description: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Status {
    Code(u16),
    /// `4XX` → 4.
    Range(u16),
    Default,
}

impl Status {
    pub fn is_success(self) -> bool {
        matches!(self, Status::Code(200..=299) | Status::Range(2))
    }

    /// `404`, `4xx` or `other`.
    pub fn text(self) -> String {
        match self {
            Status::Code(c) => c.to_string(),
            Status::Range(r) => format!("{r}xx"),
            Status::Default => "other".into(),
        }
    }
}

/// A documented non-success response and the body type to decode it as.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorCase {
    pub status: Status,
    pub description: String,
    pub ty: Option<TypeId>,
}

/// A Rust type as used at a field, parameter or body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Ty {
    Bool,
    I32,
    I64,
    /// `format: uint64` (schemars' `uint` too): ids past `i64::MAX`.
    U64,
    F32,
    F64,
    String,
    DateTime,
    Date,
    Uuid,
    /// Raw bytes of a non-JSON body.
    Bytes,
    /// A file part of a multipart body: bytes with a file name and a media type.
    File,
    /// Any JSON value.
    Any,
    /// A JSON object with any keys and values.
    AnyObject,
    Named(TypeId),
    List(Box<Ty>),
    Map(Box<Ty>),
    Tuple(Vec<Ty>),
    Nullable(Box<Ty>),
}

impl Ty {
    /// Every type id this type mentions.
    pub fn named(&self) -> Vec<TypeId> {
        match self {
            Ty::Named(id) => vec![*id],
            Ty::List(inner) | Ty::Map(inner) | Ty::Nullable(inner) => inner.named(),
            Ty::Tuple(items) => items.iter().flat_map(Ty::named).collect(),
            _ => Vec::new(),
        }
    }

    /// Rewrites every type id this type mentions.
    pub fn remap(&mut self, map: &[TypeId]) {
        match self {
            Ty::Named(id) => *id = map[id.0],
            Ty::List(inner) | Ty::Map(inner) | Ty::Nullable(inner) => inner.remap(map),
            Ty::Tuple(items) => items.iter_mut().for_each(|t| t.remap(map)),
            _ => {}
        }
    }

    /// The type without its nullable wrapper.
    pub fn non_null(&self) -> &Ty {
        match self {
            Ty::Nullable(inner) => inner.non_null(),
            other => other,
        }
    }

    /// The definition this type names in `types`, when it names one.
    pub fn named_kind<'a>(&self, types: &'a [TypeDef]) -> Option<&'a TypeKind> {
        let Ty::Named(id) = self else { return None };
        Some(&types[id.0].kind)
    }

    /// The struct this type names in `types`, when it names one.
    pub fn named_struct<'a>(&self, types: &'a [TypeDef]) -> Option<&'a Struct> {
        match self.named_kind(types)? {
            TypeKind::Struct(s) => Some(s),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TypeDef {
    pub name: String,
    /// File stem of the module the type lives in.
    pub module: String,
    /// Where the schema came from.
    pub pointer: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub kind: TypeKind,
    pub usage: Usage,
}

/// Which directions a type travels in; decides e.g. whether "absent" and "null" differ.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    pub request: bool,
    pub response: bool,
}

impl TypeKind {
    /// Every type this definition mentions directly.
    pub fn tys(&self) -> Vec<&Ty> {
        match self {
            TypeKind::Struct(s) => s.fields.iter().map(|f| &f.ty).chain(&s.extra).collect(),
            TypeKind::Union(u) => u.variants.iter().map(|v| &v.ty).collect(),
            TypeKind::Alias(ty) => vec![ty],
            TypeKind::Enum(_) | TypeKind::Const(_) => Vec::new(),
        }
    }

    pub fn tys_mut(&mut self) -> Vec<&mut Ty> {
        match self {
            TypeKind::Struct(s) => {
                let fields = s.fields.iter_mut().map(|f| &mut f.ty);
                fields.chain(s.extra.as_mut()).collect()
            }
            TypeKind::Union(u) => u.variants.iter_mut().map(|v| &mut v.ty).collect(),
            TypeKind::Alias(ty) => vec![ty],
            TypeKind::Enum(_) | TypeKind::Const(_) => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub enum TypeKind {
    Struct(Struct),
    /// A string or integer enum; always open to values a newer server may send.
    Enum(Enum),
    Union(Union),
    /// A single allowed string value (`const`).
    Const(String),
    /// A named schema that is just another type.
    Alias(Ty),
}

#[derive(Debug, Clone, Serialize)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// Type of the values under keys not named by `fields`, when the schema keeps them.
    pub extra: Option<Ty>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub wire_name: String,
    pub rust_name: String,
    pub ty: Ty,
    pub required: bool,
    /// Behind a `Box` because the type contains itself through this field.
    pub boxed: bool,
    /// How the field is represented; settled once usage is known.
    pub presence: Presence,
    pub default: Option<Value>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
    /// The release that added the field, when it is newer than the oldest supported.
    pub since: Option<String>,
    /// Required by the document, but some supported release does not send it: read as optional.
    pub relaxed: bool,
    /// `readOnly` and `writeOnly`: the field is only in answers, or only in requests.
    pub read_only: bool,
    pub write_only: bool,
}

/// Whether a field must be present, may be null, or may be left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Presence {
    /// Always present, never null.
    Required,
    /// Always present, may be null.
    RequiredNullable,
    /// May be left out (null and absent read the same).
    Optional,
    /// Sent by clients, who must be able to say absent, null or a value apart.
    Tristate,
    /// A constant: always present, with its one value.
    Constant,
}

#[derive(Debug, Clone, Serialize)]
pub struct Enum {
    pub variants: Vec<EnumVariant>,
    /// Integer values (`wire` holds their digits), emitted as named constants of a newtype.
    pub integer: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnumVariant {
    pub wire: String,
    pub rust_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Union {
    pub variants: Vec<UnionVariant>,
    /// Set when every variant is an object told apart by a constant property.
    pub discriminator: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnionVariant {
    pub rust_name: String,
    pub ty: Ty,
    /// The discriminator value that selects this variant, and others that do too (the values
    /// of an arm's own enum: Adyen's `sdk` and `wechatpaySDK`).
    pub tag: Option<String>,
    pub also: Vec<String>,
    pub boxed: bool,
}

#[cfg(test)]
mod tests;
