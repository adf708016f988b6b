//! IR construction from small documents, one per construct the loader normalises.

use super::*;
use crate::load::load;

fn api_of(schemas: &str, extra_paths: &str) -> Api {
    let text = document(&format!(
        "  /things/{{id}}:
    post:
      tags: [T]
      operationId: make_thing
      parameters:
      - {{name: id, in: path, required: true, schema: {{type: string}}}}
      - {{name: type, in: query, schema: {{type: [integer, 'null']}}}}
      requestBody:
        content:
          application/json:
            schema: {{$ref: '#/components/schemas/Root'}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Root'}}
{extra_paths}components:
  schemas:
{schemas}"
    ));
    let doc = load(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    build(&doc, &Selection::Tags(vec!["T".into()])).unwrap_or_else(|e| panic!("{e}"))
}

/// A document whose `paths:` are `paths` (YAML, and what follows them).
fn document(paths: &str) -> String {
    format!("openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\npaths:\n{paths}")
}

fn named<'a>(api: &'a Api, name: &str) -> &'a TypeDef {
    api.types
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| {
            panic!(
                "no type {name} in {:?}",
                api.types.iter().map(|t| &t.name).collect::<Vec<_>>()
            )
        })
}

fn field<'a>(def: &'a TypeDef, wire: &str) -> &'a Field {
    match &def.kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .find(|f| f.wire_name == wire)
            .expect("field"),
        other => panic!("{} is not a struct: {other:?}", def.name),
    }
}

#[test]
fn nullable_forms_become_nullable_types() {
    let api = api_of(
        "    Root:
      type: object
      required: [when, count]
      properties:
        when: {anyOf: [{type: string, format: date-time}, {type: 'null'}]}
        count: {type: [integer, 'null']}
        child: {anyOf: [{$ref: '#/components/schemas/Child'}, {type: 'null'}]}
    Child: {type: object, properties: {a: {type: string}}}
",
        "",
    );
    let root = named(&api, "Root");
    assert_eq!(field(root, "when").ty, Ty::Nullable(Box::new(Ty::DateTime)));
    assert!(field(root, "when").required);
    assert_eq!(field(root, "count").ty, Ty::Nullable(Box::new(Ty::I64)));
    let child = named(&api, "Child");
    let child_id = TypeId(api.types.iter().position(|t| t.name == child.name).unwrap());
    assert_eq!(
        field(root, "child").ty,
        Ty::Nullable(Box::new(Ty::Named(child_id)))
    );
    assert!(!field(root, "child").required);
}

#[test]
fn query_parameters_drop_nullability_and_escape_keywords() {
    let api = api_of("    Root: {type: object}\n", "");
    let op = &api.apis[0].operations[0];
    let param = op.params.iter().find(|p| p.name == "type").unwrap();
    assert_eq!(param.rust_name, "type");
    assert_eq!(param.ty, Ty::I64);
    assert!(!param.required);
    assert_eq!(op.params_type.as_deref(), Some("MakeThingParams"));
}

#[test]
fn constants_tag_a_union() {
    let api = api_of(
        "    Root:
      type: object
      properties:
        action:
          oneOf:
          - $ref: '#/components/schemas/Create'
          - $ref: '#/components/schemas/Delete'
    Create:
      type: object
      required: [kind]
      properties: {kind: {type: string, const: create}, name: {type: string}}
    Delete:
      type: object
      required: [kind]
      properties: {kind: {const: delete}, id: {type: integer}}
",
        "",
    );
    let union = named(&api, "RootAction");
    let TypeKind::Union(u) = &union.kind else {
        panic!("{union:?}")
    };
    assert_eq!(u.discriminator.as_deref(), Some("kind"));
    let tags: Vec<_> = u
        .variants
        .iter()
        .map(|v| (v.rust_name.as_str(), v.tag.as_deref()))
        .collect();
    assert_eq!(
        tags,
        vec![("Create", Some("create")), ("Delete", Some("delete"))]
    );
    assert!(matches!(&named(&api, "CreateKind").kind, TypeKind::Const(v) if v == "create"));
    assert!(matches!(&named(&api, "DeleteKind").kind, TypeKind::Const(v) if v == "delete"));
}

#[test]
fn prefix_items_become_a_tuple_inside_an_untagged_union() {
    let api = api_of(
        "    Root:
      type: object
      properties:
        ids:
          anyOf:
          - type: array
            items:
              anyOf:
              - {type: string}
              - type: array
                prefixItems: [{type: string}, {type: integer}]
                minItems: 2
                maxItems: 2
          - {type: 'null'}
",
        "",
    );
    let item = named(&api, "RootIdsItem");
    let TypeKind::Union(u) = &item.kind else {
        panic!("{item:?}")
    };
    assert!(u.discriminator.is_none());
    let tys: Vec<_> = u.variants.iter().map(|v| v.ty.clone()).collect();
    // The catch-all string arm is tried last.
    assert_eq!(tys, vec![Ty::Tuple(vec![Ty::String, Ty::I64]), Ty::String]);
}

#[test]
fn bounds_and_examples_of_31_load() {
    let api = api_of(
        "    Root:
      type: object
      properties: {n: {type: integer, exclusiveMinimum: 0, examples: [1, 2]}}
",
        "",
    );
    assert_eq!(field(named(&api, "Root"), "n").ty, Ty::I64);
}

#[test]
fn recursion_is_boxed_and_lists_are_not() {
    let api = api_of(
        "    Root:
      type: object
      properties:
        parent: {anyOf: [{$ref: '#/components/schemas/Root'}, {type: 'null'}]}
        children: {type: array, items: {$ref: '#/components/schemas/Root'}}
",
        "",
    );
    let root = named(&api, "Root");
    assert!(field(root, "parent").boxed);
    assert!(!field(root, "children").boxed);
}

#[test]
fn usage_tells_requests_from_responses() {
    let api = api_of(
        "    Root: {type: object, properties: {only_out: {$ref: '#/components/schemas/Out'}}}
    Out: {type: object}
",
        "",
    );
    assert_eq!(
        named(&api, "Root").usage,
        Usage {
            request: true,
            response: true
        }
    );
}

#[test]
fn enums_get_readable_distinct_names() {
    let api = api_of(
        "    Root: {type: string, enum: ['*/*', application/json, a-b, A_B, '']}\n",
        "",
    );
    let TypeKind::Enum(e) = &named(&api, "Root").kind else {
        panic!()
    };
    let names: Vec<_> = e.variants.iter().map(|v| v.rust_name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "StarSlashStar",
            "ApplicationJson",
            "AB",
            "AB2",
            "ValueEmpty"
        ]
    );
}

#[test]
fn dangling_reference_names_pointer_and_line() {
    let text = document(
        "  /a:
    get:
      tags: [T]
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Missing'
",
    );
    let doc = load(&text).unwrap();
    let e = build(&doc, &Selection::Tags(vec!["T".into()]))
        .map_err(|e| doc.locate(e))
        .unwrap_err();
    assert_eq!(
        e.pointer,
        "/paths/~1a/get/responses/200/content/application~1json/schema/$ref"
    );
    assert_eq!(e.line, Some(13));
    assert!(e.message.contains("Missing"), "{e}");
}

#[test]
fn all_of_cycle_is_an_error_not_a_hang() {
    let text = document(
        "  /cycle:
    get:
      tags: [T]
      responses:
        '200':
          content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}
          description: ok
components:
  schemas:
    A:
      allOf: [{$ref: '#/components/schemas/B'}, {type: object, properties: {a: {type: string}}}]
    B:
      allOf: [{$ref: '#/components/schemas/A'}, {type: object, properties: {b: {type: string}}}]
",
    );
    let doc = load(&text).unwrap();
    let e = build(&doc, &Selection::Tags(vec!["T".into()])).unwrap_err();
    assert!(e.message.contains("includes itself"), "{e}");
    assert!(e.pointer.starts_with("/components/schemas/"), "{e}");
}

#[test]
fn unknown_tag_lists_the_known_ones() {
    let text = document(
        "  /a:
    get:
      tags: [Real]
      responses: {'204': {description: none}}
",
    );
    let doc = load(&text).unwrap();
    let e = build(&doc, &Selection::Tags(vec!["Nope".into()])).unwrap_err();
    assert!(
        e.hint.as_deref().unwrap_or_default().contains("Real"),
        "{e}"
    );
}

#[test]
fn repeated_operation_ids_generate_with_a_warning() {
    let text = document(
        "  /a:
    get:
      tags: [T]
      operationId: list
      responses: {'204': {description: none}}
  /b:
    get:
      tags: [T]
      operationId: list
      responses: {'204': {description: none}}
",
    );
    let doc = load(&text).unwrap();
    let api = build(&doc, &Selection::Tags(vec!["T".into()])).unwrap();
    let names: Vec<_> = api.apis[0]
        .operations
        .iter()
        .map(|o| o.fn_name.as_str())
        .collect();
    assert_eq!(names, ["list", "list2"]);
    assert_eq!(api.warnings.len(), 1);
    assert!(
        api.warnings[0].contains("/paths/~1b/get"),
        "{:?}",
        api.warnings
    );
}

#[test]
fn an_operation_that_cannot_be_built_is_skipped_with_a_warning_unless_strict() {
    let text = document(
        "  /bad:
    get:
      operationId: bad
      parameters:
      - {name: p, in: path, required: true, style: matrix, schema: {type: string}}
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/OnlyBad'}}}
  /good:
    get:
      operationId: good
      responses: {'204': {description: none}}
components:
  schemas:
    OnlyBad: {type: object, properties: {a: {type: string}}}
",
    );
    let text = text.replace("/bad:", "/bad/{p}:");
    let doc = load(&text).unwrap();
    let e = build_supporting(&doc, &Selection::All, None, true).unwrap_err();
    assert_eq!(e.pointer, "/paths/~1bad~1{p}/get/parameters/0/style");
    let api = build_supporting(&doc, &Selection::All, None, false).unwrap();
    let names: Vec<&str> = api
        .operations()
        .map(|(_, op)| op.operation_id.as_str())
        .collect();
    assert_eq!(names, ["good"]);
    assert_eq!(
        api.warnings,
        [
            "/paths/~1bad~1{p}/get/parameters/0/style: operation `bad` (GET /bad/{p}) skipped: \
          path parameter `p` uses style `matrix`, which this client cannot send"
        ]
    );
    // What the skipped operation began to define leaves no trace.
    assert!(api.types.is_empty(), "{:?}", api.types);
}

#[test]
fn several_response_media_types_ask_for_what_the_result_reads_json_first() {
    let text = document(
        "  /report:
    get:
      operationId: report
      responses:
        '200':
          description: ok
          content:
            application/xml: {schema: {type: object}}
            text/plain: {schema: {type: string}}
            application/problem+json: {schema: {type: object}}
  /one:
    get:
      operationId: one
      responses:
        '200':
          description: ok
          content:
            application/xml: {schema: {type: object}}
            application/json: {schema: {type: object}}
  /log:
    get:
      operationId: log
      parameters:
      - {name: Accept, in: header, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {type: object}}
            application/x-ndjson: {schema: {type: string}}
  /plain:
    get:
      operationId: plain
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object}}}}
",
    );
    let doc = load(&text).unwrap();
    let api = build(&doc, &Selection::All).unwrap();
    let accept: Vec<(&str, Option<&str>)> = api
        .operations()
        .map(|(_, op)| (op.operation_id.as_str(), op.accept.as_deref()))
        .collect();
    assert_eq!(
        accept,
        [
            ("report", Some("application/problem+json, text/plain;q=0.9")),
            ("one", Some("application/json")),
            // The operation asks the caller for its `Accept` (Airflow's `get_log`).
            ("log", None),
            ("plain", None),
        ]
    );
}

#[test]
fn multipart_bodies_make_binary_strings_file_parts() {
    let text = document(
        "  /upload:
    post:
      operationId: upload
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                file: {type: string, contentMediaType: application/octet-stream}
                files: {type: array, items: {type: string, format: binary}}
                note: {type: string}
      responses: {'204': {description: none}}
  /json:
    post:
      operationId: json
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties: {raw: {type: string, format: binary}}
      responses: {'204': {description: none}}
",
    );
    let doc = load(&text).unwrap();
    let api = build(&doc, &Selection::All).unwrap();
    let fields = |name: &str| match &named(&api, name).kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .map(|f| f.ty.non_null().clone())
            .collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    let ops: Vec<_> = api
        .operations()
        .map(|(_, op)| op.body.as_ref().unwrap().kind)
        .collect();
    assert_eq!(ops, [MediaKind::Multipart, MediaKind::Json]);
    assert_eq!(
        fields("UploadBody"),
        [Ty::File, Ty::List(Box::new(Ty::File)), Ty::String]
    );
    // In JSON a binary string is a string.
    assert_eq!(fields("JsonBody"), [Ty::String]);
}

#[test]
fn webhooks_are_skipped_with_a_warning() {
    let text = document(
        "  /a:
    get:
      operationId: get_a
      responses: {'204': {description: none}}
webhooks:
  new/pet:
    post:
      responses: {'200': {description: ok}}
",
    );
    let api = build(&load(&text).unwrap(), &Selection::All).unwrap();
    assert_eq!(api.operations().count(), 1);
    assert_eq!(
        api.warnings,
        ["/webhooks/new~1pet: webhook skipped (a request the API sends, not a client)"]
    );
}
