//! Schemas → the type arena. Only schemas that the selected operations reach are built.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};

use openapiv3::{
    AdditionalProperties, AnySchema, Components, IntegerFormat, NumberFormat, ReferenceOr, Schema,
    SchemaData, SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use super::names::{camel, snake, unraw, Namespace};
use super::refs::{self, SCHEMAS};
use super::{
    Enum, EnumVariant, Field, Presence, Struct, Ty, TypeDef, TypeId, TypeKind, Union, UnionVariant,
    Usage,
};
use crate::error::{join, SpecError, SpecResult};
use crate::load::normalise::{X_CONST, X_NULL, X_PREFIX_ITEMS};

/// How deep inline schemas may nest before the document is considered hostile.
const MAX_DEPTH: usize = 64;

pub struct TypeBuilder<'a> {
    schemas: Option<&'a indexmap::IndexMap<String, ReferenceOr<Schema>>>,
    pub types: Vec<TypeDef>,
    by_ref: HashMap<String, TypeId>,
    /// Rust names of components, decided up front so they win over inline names.
    component_names: HashMap<String, String>,
    names: Namespace,
    depth: usize,
    /// Binary strings are file parts (inside a multipart body).
    pub files: bool,
}

/// Where a schema sits, for naming inline types and for error pointers.
#[derive(Clone)]
pub struct Site<'s> {
    pub name: &'s str,
    pub pointer: &'s str,
}

impl<'s> Site<'s> {
    pub fn new(name: &'s str, pointer: &'s str) -> Self {
        Site { name, pointer }
    }
}

impl<'a> TypeBuilder<'a> {
    pub fn new(components: Option<&'a Components>) -> Self {
        let schemas = components.map(|c| &c.schemas);
        let mut names = Namespace::new();
        let mut component_names = HashMap::new();
        for key in schemas.into_iter().flat_map(|s| s.keys()) {
            component_names.insert(key.clone(), names.unique(camel(key)));
        }
        TypeBuilder {
            schemas,
            types: Vec::new(),
            by_ref: HashMap::new(),
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
            ReferenceOr::Reference { reference } => self.reference(reference, site.pointer),
            ReferenceOr::Item(schema) => self.inline(schema.borrow(), site),
        }
    }

    /// A `$ref` to a component schema: one named type per component, built once.
    pub fn reference(&mut self, reference: &str, pointer: &str) -> SpecResult<Ty> {
        if let Some(id) = self.by_ref.get(reference) {
            return Ok(Ty::Named(*id));
        }
        let (key, schema) = refs::component(self.schemas, reference, SCHEMAS, pointer)?;
        let name = self.component_names[&key].clone();
        let component_pointer = join("/components/schemas", &key);
        let id = self.reserve(&name, &component_pointer);
        self.by_ref.insert(reference.to_string(), id);
        let (kind, title, description) = match schema {
            ReferenceOr::Reference { reference: inner } => {
                let ty = self.reference(inner, &component_pointer)?;
                (TypeKind::Alias(ty), None, None)
            }
            ReferenceOr::Item(schema) => {
                let kind = self.kind(schema, &Site::new(&name, &component_pointer))?;
                let data = &schema.schema_data;
                (kind, data.title.clone(), data.description.clone())
            }
        };
        let def = &mut self.types[id.0];
        def.kind = kind;
        def.title = title;
        def.description = description;
        Ok(Ty::Named(id))
    }

    /// Forgets the types defined since the arena held `len`, for an operation that is skipped.
    pub fn truncate(&mut self, len: usize) {
        self.types.truncate(len);
        self.by_ref.retain(|_, id| id.0 < len);
    }

    fn reserve(&mut self, name: &str, pointer: &str) -> TypeId {
        let id = TypeId(self.types.len());
        self.types.push(TypeDef {
            name: name.to_string(),
            module: module_name(name),
            pointer: pointer.to_string(),
            title: None,
            description: None,
            kind: TypeKind::Alias(Ty::Any),
            usage: Usage::default(),
        });
        id
    }

    /// Defines a named type for an inline schema that needs one.
    fn define(&mut self, schema: &Schema, kind: TypeKind, site: &Site) -> Ty {
        let name = self.names.unique(site.name.to_string());
        let id = self.reserve(&name, site.pointer);
        let def = &mut self.types[id.0];
        def.kind = kind;
        def.title = schema.schema_data.title.clone();
        def.description = schema.schema_data.description.clone();
        Ty::Named(id)
    }

    /// An inline schema: a builtin, a container, or a new named type.
    fn inline(&mut self, schema: &Schema, site: &Site) -> SpecResult<Ty> {
        if self.depth >= MAX_DEPTH {
            return Err(SpecError::at(
                site.pointer,
                format!("schemas nest more than {MAX_DEPTH} levels deep"),
            )
            .with_hint("move nested schemas to components/schemas and refer to them"));
        }
        self.depth += 1;
        let kind = self.kind(schema, site);
        self.depth -= 1;
        // A builtin or another type's name is used as it is; anything else gets a name.
        let ty = match kind? {
            TypeKind::Alias(ty) => ty,
            kind => self.define(schema, kind, site),
        };
        if schema.schema_data.nullable && !matches!(ty, Ty::Any | Ty::Nullable(_)) {
            return Ok(Ty::Nullable(Box::new(ty)));
        }
        Ok(ty)
    }

    /// Types that need no definition of their own; `None` when the schema needs a named type.
    fn builtin(&mut self, schema: &Schema, site: &Site) -> SpecResult<Option<Ty>> {
        let data = &schema.schema_data;
        if data.extensions.get(X_NULL) == Some(&Value::Bool(true)) {
            return Ok(Some(Ty::Any));
        }
        Ok(match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) if s.enumeration.is_empty() => {
                Some(string_ty(&s.format, self.files))
            }
            SchemaKind::Type(Type::String(_)) => None,
            SchemaKind::Type(Type::Integer(i)) => Some(match i.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => Ty::I32,
                _ => Ty::I64,
            }),
            SchemaKind::Type(Type::Number(n)) => Some(match n.format {
                VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => Ty::F32,
                _ => Ty::F64,
            }),
            SchemaKind::Type(Type::Boolean(_)) => Some(Ty::Bool),
            SchemaKind::Type(Type::Array(a)) => Some(self.array(data, a.items.as_ref(), site)?),
            SchemaKind::Type(Type::Object(o)) if o.properties.is_empty() => {
                Some(self.map(o.additional_properties.as_ref(), site)?)
            }
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => Some(self.ty(&all_of[0], site)?),
            SchemaKind::AnyOf { any_of: arms } | SchemaKind::OneOf { one_of: arms }
                if arms.len() == 1 =>
            {
                Some(self.ty(&arms[0], site)?)
            }
            SchemaKind::Not { .. } => Some(Ty::Any),
            SchemaKind::Any(any) => self.any_builtin(data, any, site)?,
            _ => None,
        })
    }

    /// The catch-all schema shape: guess from what it carries.
    fn any_builtin(
        &mut self,
        data: &SchemaData,
        any: &AnySchema,
        site: &Site,
    ) -> SpecResult<Option<Ty>> {
        if !any.properties.is_empty()
            || !any.all_of.is_empty()
            || !any.any_of.is_empty()
            || !any.one_of.is_empty()
        {
            return Ok(None);
        }
        if !any.enumeration.is_empty() {
            return Ok(
                if any.enumeration.iter().all(|v| v.is_string() || v.is_null()) {
                    None
                } else {
                    Some(Ty::Any)
                },
            );
        }
        Ok(Some(match any.typ.as_deref() {
            Some("string") => match any.format.as_deref() {
                Some("date-time") => Ty::DateTime,
                Some("date") => Ty::Date,
                Some("uuid") => Ty::Uuid,
                Some("binary") if self.files => Ty::File,
                _ => Ty::String,
            },
            Some("integer") if any.format.as_deref() == Some("int32") => Ty::I32,
            Some("integer") => Ty::I64,
            Some("number") => Ty::F64,
            Some("boolean") => Ty::Bool,
            Some("array") => self.array(data, any.items.as_ref(), site)?,
            Some("object") => self.map(any.additional_properties.as_ref(), site)?,
            _ if any.items.is_some() => self.array(data, any.items.as_ref(), site)?,
            _ if any.additional_properties.is_some() => {
                self.map(any.additional_properties.as_ref(), site)?
            }
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
        let Some(items) = items else {
            return Ok(Ty::List(Box::new(Ty::Any)));
        };
        let name = format!("{}Item", site.name);
        let pointer = join(site.pointer, "items");
        let item = self.ty(items, &Site::new(&name, &pointer))?;
        Ok(Ty::List(Box::new(item)))
    }

    fn tuple(&mut self, prefix: &Value, site: &Site) -> SpecResult<Ty> {
        let pointer = join(site.pointer, "prefixItems");
        let arms: Vec<ReferenceOr<Schema>> =
            serde_json::from_value(prefix.clone()).map_err(|e| {
                SpecError::at(
                    &pointer,
                    format!("prefixItems is not a list of schemas: {e}"),
                )
            })?;
        let mut elements = Vec::with_capacity(arms.len());
        for (i, arm) in arms.iter().enumerate() {
            let name = format!("{}{}", site.name, i);
            let pointer = format!("{pointer}/{i}");
            elements.push(self.ty(arm, &Site::new(&name, &pointer))?);
        }
        Ok(Ty::Tuple(elements))
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
        let name = format!("{}Value", site.name);
        let pointer = join(site.pointer, "additionalProperties");
        self.ty(schema, &Site::new(&name, &pointer))
    }

    /// The definition of a schema that gets a name of its own.
    fn kind(&mut self, schema: &Schema, site: &Site) -> SpecResult<TypeKind> {
        if let Some(ty) = self.builtin(schema, site)? {
            return Ok(TypeKind::Alias(ty));
        }
        let data = &schema.schema_data;
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                Ok(string_enum(data, s.enumeration.iter().flatten().cloned()))
            }
            SchemaKind::Type(Type::Object(o)) => self.object(
                &o.properties,
                &o.required,
                o.additional_properties.as_ref(),
                site,
            ),
            SchemaKind::AllOf { all_of } => self.all_of(all_of, site),
            SchemaKind::AnyOf { any_of: arms } => self.union(data, arms, "anyOf", site),
            SchemaKind::OneOf { one_of: arms } => self.union(data, arms, "oneOf", site),
            SchemaKind::Any(any) if !any.all_of.is_empty() => self.all_of(&any.all_of, site),
            SchemaKind::Any(any)
                if any.properties.is_empty()
                    && (!any.any_of.is_empty() || !any.one_of.is_empty()) =>
            {
                let (arms, keyword) = if any.any_of.is_empty() {
                    (&any.one_of, "oneOf")
                } else {
                    (&any.any_of, "anyOf")
                };
                self.union(data, arms, keyword, site)
            }
            SchemaKind::Any(any) if !any.properties.is_empty() => self.object(
                &any.properties,
                &any.required,
                any.additional_properties.as_ref(),
                site,
            ),
            SchemaKind::Any(any) => Ok(string_enum(
                data,
                any.enumeration
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string)),
            )),
            _ => Ok(TypeKind::Alias(Ty::Any)),
        }
    }

    fn object(
        &mut self,
        properties: &indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &[String],
        additional: Option<&AdditionalProperties>,
        site: &Site,
    ) -> SpecResult<TypeKind> {
        let mut fields = Vec::with_capacity(properties.len());
        let mut field_names = Namespace::new();
        // Reserved for the flattened map of extra keys.
        field_names.reserve("extra");
        for (wire, schema) in properties {
            let name = format!("{}{}", site.name, camel(wire));
            let pointer = join(&join(site.pointer, "properties"), wire);
            let ty = self.ty(schema, &Site::new(&name, &pointer))?;
            let data = match schema {
                ReferenceOr::Item(s) => Some(&s.schema_data),
                ReferenceOr::Reference { .. } => None,
            };
            fields.push(Field {
                wire_name: wire.clone(),
                rust_name: field_names.unique(snake(wire)),
                ty,
                required: required.contains(wire),
                boxed: false,
                presence: Presence::Optional,
                default: data.and_then(|d| d.default.clone()),
                title: data.and_then(|d| d.title.clone()),
                description: data.and_then(|d| d.description.clone()),
                deprecated: data.is_some_and(|d| d.deprecated),
                since: None,
                relaxed: false,
            });
        }
        let extra = match additional {
            Some(AdditionalProperties::Any(true)) => Some(Ty::Any),
            Some(AdditionalProperties::Schema(schema)) => Some(self.additional(schema, site)?),
            _ => None,
        };
        Ok(TypeKind::Struct(Struct { fields, extra }))
    }

    /// `allOf` of several schemas: one struct with the properties of all of them.
    fn all_of(&mut self, arms: &[ReferenceOr<Schema>], site: &Site) -> SpecResult<TypeKind> {
        let mut merged = Merged::default();
        for (i, arm) in arms.iter().enumerate() {
            self.merge(arm, &format!("{}/allOf/{i}", site.pointer), &mut merged)?;
        }
        let additional = merged.additional.as_ref();
        if merged.properties.is_empty() {
            return Ok(TypeKind::Alias(self.map(additional, site)?));
        }
        self.object(&merged.properties, &merged.required, additional, site)
    }

    /// Adds what `arm` (at `pointer`) says to `merged`, through references and nested `allOf`s.
    fn merge(
        &self,
        arm: &ReferenceOr<Schema>,
        pointer: &str,
        merged: &mut Merged,
    ) -> SpecResult<()> {
        let schema = match arm {
            ReferenceOr::Reference { reference } => {
                if merged.seen.contains(reference) {
                    return Err(SpecError::at(
                        join(pointer, "$ref"),
                        format!("`{reference}` includes itself through allOf"),
                    )
                    .with_hint("break the allOf cycle; a schema cannot extend itself"));
                }
                merged.seen.push(reference.clone());
                let (key, schema) = refs::component(self.schemas, reference, SCHEMAS, pointer)?;
                let result = self.merge(schema, &join("/components/schemas", &key), merged);
                merged.seen.pop();
                return result;
            }
            ReferenceOr::Item(schema) => schema,
        };
        let (props, req, add, nested): (_, &[String], _, &[ReferenceOr<Schema>]) =
            match &schema.schema_kind {
                SchemaKind::Type(Type::Object(o)) => (
                    Some(&o.properties),
                    &o.required,
                    o.additional_properties.as_ref(),
                    &[],
                ),
                SchemaKind::AllOf { all_of } => (None, &[], None, all_of),
                SchemaKind::Any(any) => (
                    Some(&any.properties),
                    &any.required,
                    any.additional_properties.as_ref(),
                    &any.all_of,
                ),
                _ => (None, &[], None, &[]),
            };
        for (i, inner) in nested.iter().enumerate() {
            self.merge(inner, &format!("{pointer}/allOf/{i}"), merged)?;
        }
        for (k, v) in props.into_iter().flatten() {
            merged.properties.insert(k.clone(), v.clone());
        }
        merged.required.extend(req.iter().cloned());
        if add.is_some() {
            merged.additional = add.cloned();
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
            let name = format!("{}Variant{}", site.name, i + 1);
            let pointer = format!("{}/{keyword}/{i}", site.pointer);
            let ty = self.ty(arm, &Site::new(&name, &pointer))?;
            if !tys.contains(&ty) {
                tys.push(ty);
            }
        }
        let tagged = self.discriminate(data, arms, &tys);
        let mut names = Namespace::new();
        let mut variants: Vec<UnionVariant> = tys
            .into_iter()
            .enumerate()
            .map(|(i, ty)| {
                let tag = tagged.as_ref().map(|(_, tags)| tags[i].clone());
                let rust_name = names.unique(match &tag {
                    Some(tag) => camel(tag),
                    None => self.variant_name(&ty),
                });
                UnionVariant {
                    rust_name,
                    ty,
                    tag,
                    boxed: false,
                }
            })
            .collect();
        if tagged.is_none() {
            // Untagged decoding tries arms in order; catch-alls must come last.
            variants
                .sort_by_key(|v| matches!(v.ty.non_null(), Ty::Any | Ty::AnyObject | Ty::String));
        }
        Ok(TypeKind::Union(Union {
            variants,
            discriminator: tagged.map(|(p, _)| p),
        }))
    }

    /// A property that every arm has, with a distinct constant in each, tells arms apart.
    fn discriminate(
        &self,
        data: &SchemaData,
        arms: &[ReferenceOr<Schema>],
        tys: &[Ty],
    ) -> Option<(String, Vec<String>)> {
        if tys.len() != arms.len() || tys.len() < 2 {
            return None;
        }
        let structs: Vec<&Struct> = tys
            .iter()
            .map(|ty| match ty {
                Ty::Named(id) => match &self.types[id.0].kind {
                    TypeKind::Struct(s) => Some(s),
                    _ => None,
                },
                _ => None,
            })
            .collect::<Option<_>>()?;
        let explicit = data.discriminator.as_ref();
        let candidates: Vec<String> = match explicit {
            Some(d) => vec![d.property_name.clone()],
            None => structs[0]
                .fields
                .iter()
                .filter(|f| f.required)
                .map(|f| f.wire_name.clone())
                .collect(),
        };
        'candidate: for property in candidates {
            let mut tags = Vec::with_capacity(structs.len());
            for (i, s) in structs.iter().enumerate() {
                let field = s
                    .fields
                    .iter()
                    .find(|f| f.wire_name == property && f.required);
                let constant = field.and_then(|f| match &f.ty {
                    Ty::Named(id) => match &self.types[id.0].kind {
                        TypeKind::Const(value) => Some(value.clone()),
                        _ => None,
                    },
                    _ => None,
                });
                let from_mapping = explicit.and_then(|d| {
                    let reference = match &arms[i] {
                        ReferenceOr::Reference { reference } => reference,
                        ReferenceOr::Item(_) => return None,
                    };
                    d.mapping
                        .iter()
                        .find(|(_, r)| *r == reference)
                        .map(|(k, _)| k.clone())
                        .or_else(|| refs::component_name(reference, SCHEMAS.0))
                });
                match constant.or(from_mapping) {
                    Some(tag) if !tags.contains(&tag) && field.is_some() => tags.push(tag),
                    _ => continue 'candidate,
                }
            }
            return Some((property, tags));
        }
        None
    }

    fn variant_name(&self, ty: &Ty) -> String {
        match ty {
            Ty::Bool => "Boolean".into(),
            Ty::I32 | Ty::I64 => "Integer".into(),
            Ty::F32 | Ty::F64 => "Number".into(),
            Ty::String => "String".into(),
            Ty::DateTime => "DateTime".into(),
            Ty::Date => "Date".into(),
            Ty::Uuid => "Uuid".into(),
            Ty::Bytes | Ty::File => "Bytes".into(),
            Ty::Any => "Any".into(),
            Ty::AnyObject => "Object".into(),
            Ty::Named(id) => self.types[id.0].name.clone(),
            Ty::List(inner) => format!("{}List", self.variant_name(inner)),
            Ty::Map(inner) => format!("{}Map", self.variant_name(inner)),
            Ty::Tuple(_) => "Tuple".into(),
            Ty::Nullable(inner) => self.variant_name(inner),
        }
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

/// A string enum, or a constant when the schema said `const`. Duplicate values are dropped.
fn string_enum(data: &SchemaData, values: impl Iterator<Item = String>) -> TypeKind {
    if let Some(Value::String(constant)) = data.extensions.get(X_CONST) {
        return TypeKind::Const(constant.clone());
    }
    let mut names = Namespace::new();
    // Reserved for the catch-all variant that carries unknown values.
    names.reserve("Unknown");
    let mut unique = BTreeMap::new();
    let mut variants = Vec::new();
    for wire in values {
        if unique.insert(wire.clone(), ()).is_none() {
            variants.push(EnumVariant {
                rust_name: names.unique(camel(&wire)),
                wire,
            });
        }
    }
    if variants.is_empty() {
        return TypeKind::Alias(Ty::String);
    }
    TypeKind::Enum(Enum { variants })
}

/// What the arms of an `allOf` add up to, gathered arm by arm.
#[derive(Default)]
struct Merged {
    properties: indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
    required: Vec<String>,
    additional: Option<AdditionalProperties>,
    /// The references being followed, to catch a schema that includes itself.
    seen: Vec<String>,
}

/// File stem for a type's module: snake case, with keywords suffixed rather than raw.
pub fn module_name(type_name: &str) -> String {
    unraw(&snake(type_name))
}
