"""The live check's FastAPI app: the constructs of issue 22 as FastAPI and pydantic write them.

`python app.py --openapi PATH` writes its OpenAPI document; `python -m uvicorn app:app` serves
it. `cargo xtask live` does both and drives it with a client generated from that document.
"""

import asyncio
import json
import sys
from urllib.parse import parse_qsl
from enum import Enum
from typing import Annotated, List, Literal, Optional, Union

from fastapi import (
    Cookie, Depends, FastAPI, File, Form, HTTPException, Query, Request, Response, Security,
    UploadFile,
)
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse
from fastapi.security import (
    APIKeyHeader, HTTPBasic, HTTPBasicCredentials, OAuth2PasswordBearer, OAuth2PasswordRequestForm,
)
from pydantic import BaseModel, Field

app = FastAPI(title="Live check", version="1")


class Cat(BaseModel):
    kind: Literal["cat"] = "cat"
    lives: int


class Dog(BaseModel):
    kind: Literal["dog"] = "dog"
    good: bool


Pet = Annotated[Union[Cat, Dog], Field(discriminator="kind")]


class Note(BaseModel):
    text: str


class Parcel(BaseModel):
    """Holds what the round trips send back."""

    pet: Pet
    note: Optional[Note] = None
    amount: Union[int, float]


class Color(str, Enum):
    red = "red"
    green = "green"
    blue = "blue"


@app.post("/parcels")
def echo_parcel(parcel: Parcel) -> Parcel:
    return parcel


@app.get("/colors")
def colors(color: Annotated[List[Color], Query()] = []) -> List[Color]:
    return list(reversed(color))


@app.post("/upload")
async def upload(
    file: UploadFile,
    note: Annotated[str, Form()],
    more: Annotated[List[UploadFile], File()] = [],
) -> dict:
    content = await file.read()
    return {
        "file_name": file.filename,
        "content_type": file.content_type,
        "content": content.decode(),
        "note": note,
        "more": [(await f.read()).decode() for f in more],
    }


@app.post("/login")
def login(username: Annotated[str, Form()], password: Annotated[str, Form()]) -> dict:
    return {"token": f"{username}:{len(password)}"}


@app.delete("/things/{thing_id}", status_code=204)
def delete_thing(thing_id: int) -> Response:
    return Response(status_code=204)


@app.get("/hello", response_class=PlainTextResponse)
def hello(name: str) -> str:
    return f"hello {name}"


@app.get(
    "/report",
    responses={200: {"content": {"application/xml": {"schema": {"type": "string"}}}}},
)
def report(request: Request) -> Note:
    # XML unless asked otherwise, as servers whose default is XML answer.
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"text": "as json"})
    return Response("<note>as xml</note>", media_type="application/xml")


@app.get("/cookies")
def cookies(
    request: Request,
    session: Annotated[str, Cookie()],
    theme: Annotated[Optional[str], Cookie()] = None,
) -> dict:
    # What arrived as the client sent it: every Cookie header, and the parsed cookies.
    return {
        "cookie_headers": request.headers.getlist("cookie"),
        "cookies": dict(request.cookies),
        "session": session,
        "theme": theme,
    }


@app.get("/uploads")
def uploads(request: Request, prefix: str, marker: Optional[str] = None) -> dict:
    return {"query": request.url.query}


@app.get("/measures/{size}")
def measure(request: Request, size: float, scale: float, tags: List[float] = Query([])) -> dict:
    """Says the path and query as they arrived: a whole `number` must travel as `2`, not `2.0`."""
    return {"path": request.url.path, "query": request.url.query}


@app.get("/secret")
def secret(key: Annotated[str, Security(APIKeyHeader(name="X-Live-Key"))]) -> dict:
    return {"key": key}


@app.post("/token")
def token(grant: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict:
    """RFC 6749's password grant, as FastAPI reads it: a form, not JSON."""
    if grant.password != "s3cret" or grant.grant_type != "password":
        raise HTTPException(status_code=401, detail="bad credentials")
    return {"access_token": f"t-{grant.username}", "token_type": "bearer"}


@app.get("/me")
def me(token: Annotated[str, Depends(OAuth2PasswordBearer(tokenUrl="token"))]) -> dict:
    return {"token": token}


@app.get("/whoami")
def whoami(credentials: Annotated[HTTPBasicCredentials, Depends(HTTPBasic())]) -> dict:
    return {"username": credentials.username, "password": credentials.password}


def _bracket_form() -> dict:
    """A form body as Stripe's document declares its writes: nested members `deepObject`."""
    string, integer = {"type": "string"}, {"type": "integer"}
    address = {"type": "object", "properties": {"line1": string, "city": string}}
    item = {"type": "object", "properties": {"price": string, "quantity": integer}}
    properties = {
        "customer": string,
        "address": address,
        "items": {"type": "array", "items": item},
        "expand": {"type": "array", "items": string},
    }
    schema = {"type": "object", "required": ["customer"], "properties": properties}
    deep = {"style": "deepObject", "explode": True}
    form = {"schema": schema, "encoding": {k: deep for k in ("address", "items", "expand")}}
    content = {"application/x-www-form-urlencoded": form}
    return {"requestBody": {"required": True, "content": content}}


@app.post("/subscriptions", openapi_extra=_bracket_form())
async def subscribe(request: Request) -> dict:
    # The pairs as a form parser reads them, in the order they came.
    return {"pairs": parse_qsl((await request.body()).decode(), keep_blank_values=True)}


@app.get(
    "/ticks",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}},
)
async def ticks(count: int, hold: bool = False) -> StreamingResponse:
    """Server-sent events; with `hold`, the stream stays open after them, as a feed does."""

    async def events():
        yield ": a comment, skipped\n\n"
        for n in range(count):
            yield f"event: tick\r\nid: {n}\r\ndata: {{\"n\": {n}}}\r\n\r\n"
        if hold:
            await asyncio.sleep(60)
        yield "data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


def document() -> dict:
    """The app's document, with two paths as APIs.guru's AWS documents write them: a fixed query
    (`/uploads?list`) and a fragment that only tells two operations apart (`#latest`)."""
    doc = app.openapi()
    doc["paths"]["/uploads?list"] = doc["paths"].pop("/uploads")
    doc["paths"]["/hello#latest"] = doc["paths"].pop("/hello")
    return doc


if __name__ == "__main__":
    if sys.argv[1:2] == ["--openapi"]:
        with open(sys.argv[2], "w") as out:
            json.dump(document(), out, indent=1)
