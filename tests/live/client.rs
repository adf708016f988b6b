//! The live check's client side: the crate generated from `app.py`'s document, against the app
//! served on `LIVE_URL`. `cargo xtask live` copies this file into that crate's `tests/`.

use live_app::apis::{
    ColorsParams, CookiesParams, Count, MeasureParams, ThingId, TicksParams, UploadsParams,
};
use live_app::models::{
    BodyLoginLoginPost, BodyUploadUploadPost, Parcel, ParcelAmount, ParcelPet, Cat, Color, Dog, Note,
    SubscribeBody, SubscribeBodyAddress, SubscribeBodyItemsItem,
};
use live_app::{Client, Error, Event, FilePart};

fn client() -> Client {
    let url = std::env::var("LIVE_URL").expect("LIVE_URL names the app's address");
    Client::builder(url).build().expect("a client")
}

#[tokio::test]
async fn a_file_and_form_fields_upload_as_multipart() {
    let body = BodyUploadUploadPost::new(
        FilePart::from(b"a,b\n1,2\n".to_vec())
            .named("table.csv")
            .media_type("text/csv"),
        "first upload",
    )
    .more([FilePart::from(&b"one"[..]), FilePart::from("two".to_string())]);
    let answer = client().default().upload(&body).await.unwrap();
    let answer = serde_json::Value::Object(answer);
    assert_eq!(
        answer,
        serde_json::json!({
            "file_name": "table.csv",
            "content_type": "text/csv",
            "content": "a,b\n1,2\n",
            "note": "first upload",
            "more": ["one", "two"],
        })
    );
}

#[tokio::test]
async fn a_file_from_a_path_keeps_its_name() {
    let path = std::env::temp_dir().join(format!("live-{}.txt", std::process::id()));
    std::fs::write(&path, "from disk").unwrap();
    let file = FilePart::from_path(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let body = BodyUploadUploadPost::new(file, "disk");
    let answer = client().default().upload(&body).await.unwrap();
    assert_eq!(answer["file_name"], path.file_name().unwrap().to_str().unwrap());
    assert_eq!(answer["content"], "from disk");
    assert_eq!(answer["content_type"], "application/octet-stream");
}

#[tokio::test]
async fn a_form_is_url_encoded() {
    let body = BodyLoginLoginPost::new("ada & co", "pässwörd");
    let answer = client().default().login(&body).await.unwrap();
    assert_eq!(answer["token"], "ada & co:8");
}

#[tokio::test]
async fn several_response_media_types_ask_for_json() {
    // The app answers XML unless asked for JSON.
    let note = client().default().report().await.unwrap();
    assert_eq!(note, Note::new("as json"));
}

#[tokio::test]
async fn a_204_and_a_text_answer() {
    let api = client();
    api.default()
        .delete_thing(ThingId(7))
        .await
        .unwrap();
    // The document's path is `/hello#latest`: the fragment is not sent, the query is.
    let text = api.default().hello("rust").await.unwrap();
    assert_eq!(text, "hello rust");
}

#[tokio::test]
async fn an_enum_list_travels_in_the_query() {
    let params = ColorsParams::default().color([Color::Red, Color::Blue]);
    let colors = client().default().colors(&params).await.unwrap();
    assert_eq!(colors, [Color::Blue, Color::Red]);
    let params = ColorsParams::default().color(["purple"]);
    match client().default().colors(&params).await {
        Err(Error::Api(e)) => assert_eq!(e.status, 422),
        other => panic!("a colour the app does not know: {other:?}"),
    }
}

#[tokio::test]
async fn unions_nullables_and_numbers_come_back_as_sent() {
    let api = client();
    let cases = [
        Parcel::new(Cat::new(9), ParcelAmount::Integer(5)),
        Parcel::new(Dog::new(true), ParcelAmount::Number(2.5)).note(Note::new("a note")),
        Parcel::new(Dog::new(false), ParcelAmount::Integer(-1)).note_null(),
    ];
    for sent in cases {
        let back = api.default().echo_parcel(&sent).await.unwrap();
        assert_eq!(
            serde_json::to_value(&back).unwrap(),
            serde_json::to_value(&sent).unwrap().as_object().map(|o| {
                let mut o = o.clone();
                // The app sends a note it was not given as null; the client reads both alike.
                o.entry("note").or_insert(serde_json::Value::Null);
                serde_json::Value::Object(o)
            }).unwrap(),
        );
        assert!(matches!(back.pet, ParcelPet::Cat(_) | ParcelPet::Dog(_)));
    }
}

#[tokio::test]
async fn cookies_share_one_header_and_cannot_smuggle_another() {
    let params = CookiesParams::default().theme("dark");
    let answer = client().default().cookies("s1", &params).await.unwrap();
    assert_eq!(answer["cookie_headers"], serde_json::json!(["session=s1; theme=dark"]));
    assert_eq!(answer["session"], "s1");
    assert_eq!(answer["theme"], "dark");
    // A `;` in a value is percent-encoded: no cookie `admin` appears beside it.
    let answer = client()
        .default()
        .cookies("s1; admin=1", &CookiesParams::default())
        .await
        .unwrap();
    assert_eq!(answer["cookie_headers"], serde_json::json!(["session=s1%3B%20admin=1"]));
    assert_eq!(answer["cookies"], serde_json::json!({"session": "s1%3B%20admin=1"}));
}

#[tokio::test]
async fn a_fixed_query_in_the_path_comes_before_the_parameters() {
    let params = UploadsParams::default().marker("m 1");
    let answer = client().default().uploads("p", &params).await.unwrap();
    assert_eq!(answer["query"], "list&marker=m%201&prefix=p");
    let answer = client().default().uploads("p", &UploadsParams::default()).await.unwrap();
    assert_eq!(answer["query"], "list&prefix=p");
}

#[tokio::test]
async fn a_whole_number_travels_without_a_fraction() {
    let params = MeasureParams::default().tags([3.0, 0.25]);
    let answer = client().default().measure(2.0, 1.5, &params).await.unwrap();
    assert_eq!(answer["path"], "/measures/2");
    assert_eq!(answer["query"], "tags=3&tags=0.25&scale=1.5");
}

#[tokio::test]
async fn an_api_key_goes_in_the_header_its_scheme_names() {
    let url = std::env::var("LIVE_URL").expect("LIVE_URL names the app's address");
    let keyed = Client::builder(url).api_key("k-1").build().unwrap();
    let answer = keyed.default().secret().await.unwrap();
    assert_eq!(answer["key"], "k-1");
    // Without it, FastAPI refuses the call (403, or 401 in its later releases).
    let refused = client().default().secret().await.unwrap_err();
    assert!(matches!(refused, Error::Api(ref e) if matches!(e.status, 401 | 403)), "{refused:?}");
}

#[tokio::test]
async fn login_sends_the_password_grant_as_a_form() {
    let url = std::env::var("LIVE_URL").expect("LIVE_URL names the app's address");
    let client = Client::builder(&url).login("ada", "s3cret").await.unwrap();
    let answer = client.default().me().await.unwrap();
    assert_eq!(answer["token"], "t-ada");
    let refused = Client::builder(url).login("ada", "wrong").await.unwrap_err();
    assert!(matches!(refused, Error::Api(ref e) if e.status == 401), "{refused:?}");
}

#[tokio::test]
async fn a_deep_object_form_spells_nested_members_in_brackets() {
    let body = SubscribeBody::new("cus 1")
        .address(SubscribeBodyAddress::default().line1("1 Main St").city("Zürich"))
        .items([SubscribeBodyItemsItem::default().price("p_1").quantity(2)])
        .expand(["customer", "items.data"]);
    let answer = client().default().subscribe(&body).await.unwrap();
    let pairs = [
        ["customer", "cus 1"],
        ["address[city]", "Zürich"],
        ["address[line1]", "1 Main St"],
        ["items[0][price]", "p_1"],
        ["items[0][quantity]", "2"],
        ["expand[0]", "customer"],
        ["expand[1]", "items.data"],
    ];
    assert_eq!(answer["pairs"], serde_json::json!(pairs));
}

#[tokio::test]
async fn server_sent_events_arrive_as_the_server_writes_them() {
    // The app holds the stream open a minute after two ticks: read whole, this would time out.
    let two_ticks = async {
        let held = TicksParams::default().hold(true);
        let mut events = client().default().ticks(Count(2), &held).await.unwrap();
        let first = events.next().await.unwrap().unwrap();
        (first, events.next().await.unwrap().unwrap())
    };
    let limit = std::time::Duration::from_secs(20);
    let (first, second) = tokio::time::timeout(limit, two_ticks).await.expect("two ticks");
    assert_eq!((first.event.as_str(), first.id.as_deref()), ("tick", Some("0")));
    assert_eq!(second.json::<serde_json::Value>().unwrap(), serde_json::json!({"n": 1}));
    let all = client().default().ticks(Count(3), &TicksParams::default()).await.unwrap();
    let events: Vec<Event> = all.collect().await.unwrap();
    let data: Vec<&str> = events.iter().map(|e| e.data.as_str()).collect();
    assert_eq!(data, [r#"{"n": 0}"#, r#"{"n": 1}"#, r#"{"n": 2}"#, "[DONE]"]);
}

#[tokio::test]
async fn basic_credentials_go_as_the_scheme_asks() {
    let url = std::env::var("LIVE_URL").expect("LIVE_URL names the app's address");
    let signed_in = Client::builder(url).basic_auth("ada", "s3cret: 1").build().unwrap();
    let answer = signed_in.default().whoami().await.unwrap();
    assert_eq!(answer["username"], "ada");
    assert_eq!(answer["password"], "s3cret: 1");
    let refused = client().default().whoami().await.unwrap_err();
    assert!(matches!(refused, Error::Api(ref e) if e.status == 401), "{refused:?}");
}
