//! Schemas → the type arena. Only schemas that the selected operations reach are built.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};

use openapiv3::{
    AdditionalProperties, AnySchema, Components, Discriminator, IntegerFormat, NumberFormat,
    ObjectType, ReferenceOr, Schema, SchemaData, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use super::names::{camel, constant, snake, type_name, unraw, Namespace};
use super::refs::{self, SCHEMAS};
use super::{
    Enum, EnumVariant, Field, Presence, Struct, Ty, TypeDef, TypeId, TypeKind, Union, UnionVariant,
    Usage,
};
use crate::error::{join, unescape_token, SpecError, SpecResult};
use crate::load::normalise::{X_CONST, X_NULL, X_PREFIX_ITEMS};

/// How deep inline schemas may nest before the document is considered hostile.
const MAX_DEPTH: usize = 64;

/// Schemas a reference reaches outside `components/schemas`, by reference: where, and what.
pub type Elsewhere = BTreeMap<String, (String, ReferenceOr<Schema>)>;

pub struct TypeBuilder<'a> {
    schemas: Option<&'a indexmap::IndexMap<String, ReferenceOr<Schema>>>,
    elsewhere: &'a Elsewhere,
    pub types: Vec<TypeDef>,
    by_ref: HashMap<String, Ty>,
    /// Inline schemas already defined, by their text: identical ones share a type.
    by_text: HashMap<String, Ty>,
    /// Rust names of referenced schemas (by component key, or by reference for the others),
    /// decided up front so they win over inline names.
    component_names: HashMap<String, String>,
    names: Namespace,
    depth: usize,
    /// Binary strings are file parts (inside a multipart body).
    pub files: bool,
}

/// Where a schema sits, for naming inline types and for error pointers.
pub struct Site {
    pub name: String,
    pub pointer: String,
}

impl Site {
    pub fn new(name: impl Into<String>, pointer: impl Into<String>) -> Self {
        let (name, pointer) = (name.into(), pointer.into());
        Site { name, pointer }
    }

    /// A nested schema: its name is this one's and `suffix`, its pointer this one's and `tokens`.
    pub fn nested(&self, suffix: impl std::fmt::Display, tokens: &[&str]) -> Site {
        let pointer = tokens.iter().fold(self.pointer.clone(), |p, t| join(&p, t));
        Site::new(format!("{}{suffix}", self.name), pointer)
    }
}

impl<'a> TypeBuilder<'a> {
    pub fn new(components: Option<&'a Components>, elsewhere: &'a Elsewhere) -> Self {
        let schemas = components.map(|c| &c.schemas);
        let mut names = Namespace::default();
        let mut component_names = HashMap::new();
        for key in schemas.into_iter().flat_map(|s| s.keys()) {
            component_names.insert(key.clone(), names.unique(type_name(key)));
        }
        for (reference, (pointer, _)) in elsewhere {
            component_names.insert(reference.clone(), names.unique(pointer_name(pointer)));
        }
        TypeBuilder {
            schemas,
            elsewhere,
            types: Vec::new(),
            by_ref: HashMap::new(),
            by_text: HashMap::new(),
            component_names,
            names,
            depth: 0,
            files: false,
        }
    }

    /// The type for a schema (boxed or not) or reference at `site`.
    pub fn ty<S: Borrow<Schema>>(
        &mut self,
        schema: &ReferenceOr<S>,
        site: &Site,
    ) -> SpecResult<Ty> {
        match schema {
            ReferenceOr::Reference { reference } => self.reference(reference, &site.pointer),
            ReferenceOr::Item(schema) => self.inline(schema.borrow(), site),
        }
    }

    /// Where a local reference lands: its key in `component_names`, its pointer, and the schema.
    fn lookup(
        &self,
        reference: &str,
        pointer: &str,
    ) -> SpecResult<(String, String, &'a ReferenceOr<Schema>)> {
        if let Some((at, schema)) = self.elsewhere.get(reference) {
            return Ok((reference.to_string(), at.clone(), schema));
        }
        let (key, schema) = refs::component(self.schemas, reference, SCHEMAS, pointer)?;
        let at = join("/components/schemas", &key);
        Ok((key, at, schema))
    }

    /// A `$ref` to a schema: one named type per schema, built once; nullable when the schema
    /// admits `null` besides what its type reads.
    pub fn reference(&mut self, reference: &str, pointer: &str) -> SpecResult<Ty> {
        let (key, component_pointer, schema) = self.lookup(reference, pointer)?;
        if let Some(ty) = self.by_ref.get(&component_pointer) {
            return Ok(ty.clone());
        }
        // A schema outside the components is one of the inline ones, shared by text.
        let text = schema
            .as_item()
            .filter(|_| self.elsewhere.contains_key(&key))
            .and_then(|s| serde_json::to_string(s).ok());
        if let Some(ty) = text.as_ref().and_then(|text| self.by_text.get(text)) {
            return Ok(ty.clone());
        }
        let name = self.component_names[&key].clone();
        let id = self.reserve(&name, &component_pointer, schema.as_item());
        let nullable = matches!(schema, ReferenceOr::Item(s)
            if s.schema_data.nullable && !s.schema_data.extensions.contains_key(X_NULL));
        let ty = match nullable {
            true => Ty::Nullable(Box::new(Ty::Named(id))),
            false => Ty::Named(id),
        };
        self.by_ref.insert(component_pointer.clone(), ty.clone());
        self.types[id.0].kind = match schema {
            ReferenceOr::Reference { reference: inner } => {
                TypeKind::Alias(self.reference(inner, &component_pointer)?)
            }
            ReferenceOr::Item(schema) => self.kind(schema, &Site::new(name, &component_pointer))?,
        };
        if let Some(text) = text {
            self.by_text.insert(text, ty.clone());
        }
        Ok(ty)
    }

    /// Forgets the types defined since the arena held `len`, for an operation that is skipped.
    pub fn truncate(&mut self, len: usize) {
        self.types.truncate(len);
        let kept = |ty: &Ty| ty.named().iter().all(|id| id.0 < len);
        self.by_ref.retain(|_, ty| kept(ty));
        self.by_text.retain(|_, ty| kept(ty));
    }

    /// A type for `schema`, its definition to follow (it may refer to itself).
    fn reserve(&mut self, name: &str, pointer: &str, schema: Option<&Schema>) -> TypeId {
        let data = schema.map(|s| &s.schema_data);
        self.types.push(TypeDef {
            name: name.to_string(),
            module: module_name(name, "models"),
            pointer: pointer.to_string(),
            title: data.and_then(|d| d.title.clone()),
            description: data.and_then(|d| d.description.clone()),
            kind: TypeKind::Alias(Ty::Any),
            usage: Usage::default(),
        });
        TypeId(self.types.len() - 1)
    }

    /// An inline schema: a builtin or another type's name is used as it is; anything else gets
    /// a name, shared with the schemas written the same.
    fn inline(&mut self, schema: &Schema, site: &Site) -> SpecResult<Ty> {
        if self.depth >= MAX_DEPTH {
            let message = format!("schemas nest more than {MAX_DEPTH} levels deep");
            // Through components too: so deep a chain of types overflows rustc's `Send` checks
            // in the caller's crate (E0275) even where this crate compiles.
            let hint = "move nested schemas to components/schemas, or end a chain of components \
                        that hold each other inline with a free-form `{}`";
            return Err(SpecError::at(&site.pointer, message).with_hint(hint));
        }
        let text = serde_json::to_string(schema).unwrap_or_default();
        let ty = match self.by_text.get(&text) {
            Some(ty) => ty.clone(),
            None => {
                self.depth += 1;
                let kind = self.kind(schema, site);
                self.depth -= 1;
                match kind? {
                    TypeKind::Alias(ty) => ty,
                    kind => {
                        let name = self.names.unique(site.name.clone());
                        let id = self.reserve(&name, &site.pointer, Some(schema));
                        self.types[id.0].kind = kind;
                        self.by_text.insert(text, Ty::Named(id));
                        Ty::Named(id)
                    }
                }
            }
        };
        if schema.schema_data.nullable && !matches!(ty, Ty::Any | Ty::Nullable(_)) {
            return Ok(Ty::Nullable(Box::new(ty)));
        }
        Ok(ty)
    }

    /// What a schema defines: `Alias` when it needs no definition of its own (a builtin, a
    /// list or map, another type), else the definition its named type gets.
    fn kind(&mut self, schema: &Schema, site: &Site) -> SpecResult<TypeKind> {
        let data = &schema.schema_data;
        if data.extensions.get(X_NULL) == Some(&Value::Bool(true)) {
            return Ok(TypeKind::Alias(Ty::Any));
        }
        let ty = match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => {
                return Ok(string_enum(data, s.enumeration.iter().flatten().cloned()))
            }
            SchemaKind::Type(Type::String(s)) => string_ty(&s.format, self.files),
            SchemaKind::Type(Type::Integer(i)) if !i.enumeration.is_empty() => {
                return Ok(integer_enum(data, i.enumeration.iter().copied()))
            }
            SchemaKind::Type(Type::Integer(i)) => integer_ty(&i.format),
            SchemaKind::Type(Type::Number(n)) => match n.format {
                VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => Ty::F32,
                _ => Ty::F64,
            },
            SchemaKind::Type(Type::Boolean(_)) => Ty::Bool,
            SchemaKind::Type(Type::Array(a)) => self.array(data, a.items.as_ref(), site)?,
            SchemaKind::Type(Type::Object(o)) => return self.object(o, site),
            SchemaKind::AllOf { all_of: arms }
            | SchemaKind::AnyOf { any_of: arms }
            | SchemaKind::OneOf { one_of: arms }
                if arms.len() == 1 =>
            {
                return self.one_arm(&arms[0], site)
            }
            SchemaKind::AllOf { all_of } => return self.all_of(Default::default(), all_of, site),
            SchemaKind::AnyOf { any_of: arms } => return self.union(data, arms, "anyOf", site),
            SchemaKind::OneOf { one_of: arms } => return self.union(data, arms, "oneOf", site),
            SchemaKind::Not { .. } => Ty::Any,
            SchemaKind::Any(any) => return self.any(data, any, site),
        };
        Ok(TypeKind::Alias(ty))
    }

    /// One arm: an inline one is the schema's own definition (`Foo`, not an alias of `Foo2`).
    fn one_arm(&mut self, arm: &ReferenceOr<Schema>, site: &Site) -> SpecResult<TypeKind> {
        match arm {
            ReferenceOr::Item(arm) if !arm.schema_data.nullable => self.kind(arm, site),
            arm => Ok(TypeKind::Alias(self.ty(arm, site)?)),
        }
    }

    /// A schema openapiv3 reads without a type (none given, or keywords beside it that a
    /// typed shape lacks): what it carries decides. Unlike a typed schema, composition of one
    /// arm still gets a definition, and any number is an `f64`.
    fn any(&mut self, data: &SchemaData, any: &AnySchema, site: &Site) -> SpecResult<TypeKind> {
        let (items, additional) = (any.items.as_ref(), any.additional_properties.as_ref());
        // One `allOf` arm beside keywords that add no members (Swashbuckle's `enum`,
        // drf-spectacular's `minimum`, `maxLength`): that arm. A `required` list changes it.
        let members = !any.properties.is_empty() || !any.required.is_empty();
        let members = members || items.is_some() || additional.is_some();
        if let ([arm], false) = (&any.all_of[..], members) {
            return self.one_arm(arm, site);
        } else if !any.all_of.is_empty() {
            return self.all_of(object_of(any), &any.all_of, site);
        } else if !any.properties.is_empty() {
            return self.object(&object_of(any), site);
        } else if !any.any_of.is_empty() {
            return self.union(data, &any.any_of, "anyOf", site);
        } else if !any.one_of.is_empty() {
            return self.union(data, &any.one_of, "oneOf", site);
        }
        let values = &any.enumeration;
        let all = |kind: fn(&Value) -> bool| values.iter().all(|v| v.is_null() || kind(v));
        if !values.is_empty() && all(Value::is_i64) && values.iter().any(Value::is_i64) {
            return Ok(integer_enum(data, values.iter().map(Value::as_i64)));
        } else if !values.is_empty() && all(Value::is_string) {
            let strings = values.iter().filter_map(|v| v.as_str().map(str::to_string));
            return Ok(string_enum(data, strings));
        }
        Ok(TypeKind::Alias(match any.typ.as_deref() {
            _ if !values.is_empty() => Ty::Any,
            Some("string") => string_ty(&any.format.clone().into(), self.files),
            Some("integer") => integer_ty(&any.format.clone().into()),
            Some("number") => Ty::F64,
            Some("boolean") => Ty::Bool,
            Some("object") => self.map(additional, site)?,
            typ if typ == Some("array") || items.is_some() => self.array(data, items, site)?,
            _ if additional.is_some() => self.map(additional, site)?,
            _ => Ty::Any,
        }))
    }

    fn array(
        &mut self,
        data: &SchemaData,
        items: Option<&ReferenceOr<Box<Schema>>>,
        site: &Site,
    ) -> SpecResult<Ty> {
        if let Some(prefix) = data.extensions.get(X_PREFIX_ITEMS) {
            return self.tuple(prefix, site);
        }
        let item = items.map(|items| self.ty(items, &site.nested("Item", &["items"])));
        Ok(Ty::List(Box::new(item.transpose()?.unwrap_or(Ty::Any))))
    }

    fn tuple(&mut self, prefix: &Value, site: &Site) -> SpecResult<Ty> {
        let arms: Vec<ReferenceOr<Schema>> =
            serde_json::from_value(prefix.clone()).map_err(|e| {
                let message = format!("prefixItems is not a list of schemas: {e}");
                SpecError::at(join(&site.pointer, "prefixItems"), message)
            })?;
        let at = |i: usize| site.nested(i, &["prefixItems", &i.to_string()]);
        let elements = arms.iter().enumerate().map(|(i, arm)| self.ty(arm, &at(i)));
        Ok(Ty::Tuple(elements.collect::<SpecResult<_>>()?))
    }

    fn map(&mut self, additional: Option<&AdditionalProperties>, site: &Site) -> SpecResult<Ty> {
        let Some(AdditionalProperties::Schema(schema)) = additional else {
            return Ok(Ty::AnyObject);
        };
        Ok(match self.additional(schema, site)? {
            Ty::Any => Ty::AnyObject,
            value => Ty::Map(Box::new(value)),
        })
    }

    /// The type of an object's values under keys its properties do not name.
    fn additional(&mut self, schema: &ReferenceOr<Schema>, site: &Site) -> SpecResult<Ty> {
        self.ty(schema, &site.nested("Value", &["additionalProperties"]))
    }

    fn object(&mut self, o: &ObjectType, site: &Site) -> SpecResult<TypeKind> {
        let (properties, additional) = (&o.properties, o.additional_properties.as_ref());
        if properties.is_empty() {
            return Ok(TypeKind::Alias(self.map(additional, site)?));
        }
        let mut fields = Vec::with_capacity(properties.len());
        // The flattened map of the keys the properties do not name.
        let extra = !matches!(additional, None | Some(AdditionalProperties::Any(false)));
        let mut field_names = Namespace::reserving(extra.then_some("extra"));
        for (wire, schema) in properties {
            let ty = self.ty(schema, &site.nested(camel(wire), &["properties", wire]))?;
            let data = schema.as_item().map(|s| &s.schema_data);
            fields.push(Field {
                wire_name: wire.clone(),
                rust_name: field_names.unique(snake(wire)),
                ty,
                required: o.required.contains(wire),
                boxed: false,
                presence: Presence::Optional,
                default: data.and_then(|d| d.default.clone()),
                title: data.and_then(|d| d.title.clone()),
                description: data.and_then(|d| d.description.clone()),
                deprecated: data.is_some_and(|d| d.deprecated),
                since: None,
                relaxed: false,
                read_only: data.is_some_and(|d| d.read_only),
                write_only: data.is_some_and(|d| d.write_only),
            });
        }
        let extra = match additional {
            Some(AdditionalProperties::Any(true)) => Some(Ty::Any),
            Some(AdditionalProperties::Schema(schema)) => Some(self.additional(schema, site)?),
            _ => None,
        };
        Ok(TypeKind::Struct(Struct { fields, extra }))
    }

    /// `allOf` of several schemas: one struct with the properties of all of them, and of what
    /// the schema holding them says itself (`own`: Box's `required` list beside its `allOf`).
    fn all_of(
        &mut self,
        own: ObjectType,
        arms: &[ReferenceOr<Schema>],
        site: &Site,
    ) -> SpecResult<TypeKind> {
        let mut merged = ObjectType::default();
        for (i, arm) in arms.iter().enumerate() {
            let pointer = format!("{}/allOf/{i}", site.pointer);
            self.merge(arm, &pointer, &mut merged, &mut Vec::new())?;
        }
        merged.properties.extend(own.properties);
        merged.required.extend(own.required);
        self.object(&merged, site)
    }

    /// Adds what `arm` (at `pointer`) says to `merged`, through references and nested `allOf`s;
    /// `seen` holds the references being followed, to catch a schema that includes itself.
    fn merge(
        &self,
        arm: &ReferenceOr<Schema>,
        pointer: &str,
        merged: &mut ObjectType,
        seen: &mut Vec<String>,
    ) -> SpecResult<()> {
        let schema = match arm {
            ReferenceOr::Reference { reference } => {
                if seen.contains(reference) {
                    let message = format!("`{reference}` includes itself through allOf");
                    let hint = "break the allOf cycle; a schema cannot extend itself";
                    return Err(SpecError::at(join(pointer, "$ref"), message).with_hint(hint));
                }
                seen.push(reference.clone());
                let (_, at, schema) = self.lookup(reference, pointer)?;
                let result = self.merge(schema, &at, merged, seen);
                seen.pop();
                return result;
            }
            ReferenceOr::Item(schema) => schema,
        };
        let (object, nested) = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => (o.clone(), &[][..]),
            SchemaKind::AllOf { all_of } => (ObjectType::default(), &all_of[..]),
            SchemaKind::Any(any) => (object_of(any), &any.all_of[..]),
            _ => (ObjectType::default(), &[][..]),
        };
        for (i, inner) in nested.iter().enumerate() {
            self.merge(inner, &format!("{pointer}/allOf/{i}"), merged, seen)?;
        }
        merged.properties.extend(object.properties);
        merged.required.extend(object.required);
        if object.additional_properties.is_some() {
            merged.additional_properties = object.additional_properties;
        }
        Ok(())
    }

    /// `anyOf`/`oneOf`: an enum of the arms, tagged when the arms say how.
    fn union(
        &mut self,
        data: &SchemaData,
        arms: &[ReferenceOr<Schema>],
        keyword: &str,
        site: &Site,
    ) -> SpecResult<TypeKind> {
        // No arms constrain nothing a client could use: any JSON value.
        if arms.is_empty() {
            return Ok(TypeKind::Alias(Ty::Any));
        }
        let mut tys = Vec::with_capacity(arms.len());
        for (i, arm) in arms.iter().enumerate() {
            let at = site.nested(format!("Variant{}", i + 1), &[keyword, &i.to_string()]);
            let ty = self.ty(arm, &at)?;
            if !tys.contains(&ty) {
                tys.push(ty);
            }
        }
        let (discriminator, tags) = self.discriminate(data, arms, &tys).unzip();
        // The arm for a tag this client does not know.
        let mut names = Namespace::reserving(discriminator.as_ref().map(|_| "Unknown"));
        let variant = |(ty, mut tags): (Ty, Vec<String>)| {
            let tag = (!tags.is_empty()).then(|| tags.remove(0));
            let rust_name = names.unique(match &tag {
                Some(tag) => camel(tag),
                None => self.variant_name(&ty),
            });
            UnionVariant {
                rust_name,
                ty,
                tag,
                also: tags,
                boxed: false,
            }
        };
        let tags = tags.unwrap_or_else(|| vec![Vec::new(); tys.len()]);
        let mut variants: Vec<UnionVariant> = tys.into_iter().zip(tags).map(variant).collect();
        if discriminator.is_none() {
            // Untagged decoding tries arms in order, so what reads more goes later: a float
            // would take `5` from an integer arm and send it back as `5.0`. A string arm goes
            // after arms that read no string, and otherwise where the document put it, so a
            // string that looks like a date stays a string when the schema says so.
            let rivals = variants.iter().any(|v| self.reads_strings(v.ty.non_null()));
            variants.sort_by_key(|v| match v.ty.non_null() {
                Ty::Any | Ty::AnyObject => 3,
                Ty::String if !rivals => 2,
                Ty::F32 | Ty::F64 => 1,
                _ => 0,
            });
        }
        Ok(TypeKind::Union(Union {
            variants,
            discriminator,
        }))
    }

    /// A property that every arm has, with a distinct constant in each, tells arms apart. The
    /// document's `discriminator` names it (and may map tags to arms); then the property may
    /// be optional, as pydantic's defaulted `Literal` tags are.
    fn discriminate(
        &self,
        data: &SchemaData,
        arms: &[ReferenceOr<Schema>],
        tys: &[Ty],
    ) -> Option<(String, Vec<Vec<String>>)> {
        if tys.len() != arms.len() || tys.len() < 2 {
            return None;
        }
        let of = |ty: &Ty| ty.named_struct(&self.types);
        let structs: Vec<&Struct> = tys.iter().map(of).collect::<Option<_>>()?;
        let explicit = data.discriminator.as_ref();
        let required = structs[0].fields.iter().filter(|f| f.required);
        let candidates: Vec<&String> = match explicit {
            Some(d) => vec![&d.property_name],
            None => required.map(|f| &f.wire_name).collect(),
        };
        candidates.into_iter().find_map(|property| {
            let mut tags: Vec<Vec<String>> = Vec::with_capacity(structs.len());
            for (s, arm) in structs.iter().zip(arms) {
                let field = s.fields.iter().find(|f| f.wire_name == *property);
                let field = field.filter(|f| f.required || explicit.is_some());
                let values = field.and_then(|f| match f.ty.named_kind(&self.types)? {
                    TypeKind::Const(value) => Some(vec![value.clone()]),
                    TypeKind::Enum(e) => Some(e.variants.iter().map(|v| v.wire.clone()).collect()),
                    _ => None,
                });
                // A constant or a one-value enum; else the mapping's; else, with no discriminator,
                // an enum no other arm shares a value of (Adyen's `[sdk, wechatpaySDK]`).
                let tag = match (values, explicit) {
                    (Some(values), _) if values.len() == 1 => values,
                    (_, Some(explicit)) => vec![mapped_tag(explicit, arm)?],
                    (values, None) => values?,
                };
                if tag.iter().any(|t| tags.iter().flatten().any(|u| u == t)) || field.is_none() {
                    return None;
                }
                tags.push(tag);
            }
            Some((property.clone(), tags))
        })
    }

    /// Whether an arm other than `String` reads (some) JSON strings.
    fn reads_strings(&self, ty: &Ty) -> bool {
        matches!(ty, Ty::DateTime | Ty::Date | Ty::Uuid)
            || matches!(
                ty.named_kind(&self.types),
                Some(TypeKind::Const(_) | TypeKind::Enum(Enum { integer: false, .. }))
            )
    }

    fn variant_name(&self, ty: &Ty) -> String {
        match ty {
            Ty::Bool => "Boolean".into(),
            Ty::I32 | Ty::I64 | Ty::U64 => "Integer".into(),
            Ty::F32 | Ty::F64 => "Number".into(),
            Ty::Bytes | Ty::File => "Bytes".into(),
            Ty::AnyObject => "Object".into(),
            Ty::Named(id) => self.types[id.0].name.clone(),
            Ty::List(inner) => format!("{}List", self.variant_name(inner)),
            Ty::Map(inner) => format!("{}Map", self.variant_name(inner)),
            Ty::Tuple(_) => "Tuple".into(),
            Ty::String | Ty::DateTime | Ty::Date | Ty::Uuid | Ty::Any => format!("{ty:?}"),
            Ty::Nullable(inner) => self.variant_name(inner),
        }
    }
}

/// An integer by its format: `int32` an `i32`; `uint64` (and schemars' `uint`, a `usize`) a `u64`.
fn integer_ty(format: &VariantOrUnknownOrEmpty<IntegerFormat>) -> Ty {
    match format {
        VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => Ty::I32,
        VariantOrUnknownOrEmpty::Unknown(f) if f == "uint64" || f == "uint" => Ty::U64,
        _ => Ty::I64,
    }
}

fn string_ty(format: &VariantOrUnknownOrEmpty<StringFormat>, files: bool) -> Ty {
    match format {
        VariantOrUnknownOrEmpty::Item(StringFormat::Binary) if files => Ty::File,
        VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => Ty::DateTime,
        VariantOrUnknownOrEmpty::Item(StringFormat::Date) => Ty::Date,
        VariantOrUnknownOrEmpty::Unknown(f) if f == "uuid" => Ty::Uuid,
        _ => Ty::String,
    }
}

/// A name for a schema at `pointer` outside `components/schemas`: its keys less the
/// structural ones (`/components/parameters/Limit/schema` → `Limit`).
fn pointer_name(pointer: &str) -> String {
    let mut tokens: Vec<String> = pointer.split('/').skip(1).map(unescape_token).collect();
    if tokens.first().is_some_and(|t| t == "components") {
        tokens.drain(..2.min(tokens.len()));
    }
    let structural = ["schema", "properties", "$defs", "definitions", "items"];
    tokens.retain(|t| !structural.contains(&t.as_str()));
    camel(&tokens.join(" "))
}

/// The tag `discriminator` gives a referenced arm: its mapping key, or else the component's name.
fn mapped_tag(discriminator: &Discriminator, arm: &ReferenceOr<Schema>) -> Option<String> {
    let ReferenceOr::Reference { reference } = arm else {
        return None;
    };
    match discriminator.mapping.iter().find(|(_, r)| *r == reference) {
        Some((tag, _)) => Some(tag.clone()),
        None => refs::component_name(reference, SCHEMAS.0),
    }
}

/// A string enum, or a constant when the schema said `const`; unknown values are `Unknown`.
fn string_enum(data: &SchemaData, values: impl Iterator<Item = String>) -> TypeKind {
    if let Some(Value::String(constant)) = data.extensions.get(X_CONST) {
        return TypeKind::Const(constant.clone());
    }
    let named = values.map(|wire| (camel(&wire), wire));
    enum_kind(named, "Unknown", false, Ty::String)
}

/// An integer enum: any integer reads (a newer server may send more), the known ones are
/// named constants, by the document's `x-enum-varnames` when it gives them.
fn integer_enum(data: &SchemaData, values: impl Iterator<Item = Option<i64>>) -> TypeKind {
    let mut keys = ["x-enum-varnames", "x-enumNames"].into_iter();
    let given = keys.find_map(|key| data.extensions.get(key)?.as_array());
    let named = values.enumerate().filter_map(|(i, value)| {
        let value = value?;
        let spelt = match value < 0 {
            true => format!("minus {}", value.unsigned_abs()),
            false => value.to_string(),
        };
        let name = given.and_then(|g| g.get(i)?.as_str()).unwrap_or(&spelt);
        Some((constant(name), value.to_string()))
    });
    enum_kind(named, "KNOWN", true, Ty::I64)
}

/// The enum of `values` (name, wire value), duplicates dropped and names kept clear of
/// `reserved`; `empty` when no value is left.
fn enum_kind(
    values: impl Iterator<Item = (String, String)>,
    reserved: &str,
    integer: bool,
    empty: Ty,
) -> TypeKind {
    let mut names = Namespace::reserving([reserved]);
    let mut variants: Vec<EnumVariant> = Vec::new();
    for (name, wire) in values {
        if !variants.iter().any(|v| v.wire == wire) {
            let rust_name = names.unique(name);
            variants.push(EnumVariant { wire, rust_name });
        }
    }
    if variants.is_empty() {
        return TypeKind::Alias(empty);
    }
    TypeKind::Enum(Enum { variants, integer })
}

/// What a schema without a type says of an object's keys.
fn object_of(any: &AnySchema) -> ObjectType {
    ObjectType {
        properties: any.properties.clone(),
        required: any.required.clone(),
        additional_properties: any.additional_properties.clone(),
        ..ObjectType::default()
    }
}

/// File stem for a module in `parent`: snake case, with keywords suffixed rather than raw, and
/// `parent`'s own name too (clippy rejects `models::models`).
pub fn module_name(type_name: &str, parent: &str) -> String {
    let name = unraw(&snake(type_name));
    match name == parent {
        true => format!("{name}_"),
        false => name,
    }
}
