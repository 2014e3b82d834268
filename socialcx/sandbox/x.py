"""X API v2, as tweepy's `Client` calls it.

    GET  /2/tweets/search/recent           query, since_id, until_id, start_time, end_time,
                                           max_results (10-100), next_token, sort_order
    GET  /2/users/:id/mentions             since_id, until_id, start_time, end_time,
                                           max_results (5-100), pagination_token
    GET  /2/tweets                         ids (1-100, comma-separated): the posts still there;
                                           each one gone is an entry in `errors`
    GET  /2/users/by/username/:username    GET /2/users/me
    POST /2/tweets                         {"text": …, "reply": {"in_reply_to_tweet_id": …}}
    POST /2/dm_conversations/with/:participant_id/messages
                                           {"text": …}: a direct message from our account,
                                           answered 201 with `dm_conversation_id`, `dm_event_id`
    GET  /2/dm_events                      our account's direct messages, sent and received,
    GET  /2/dm_conversations/with/:participant_id/dm_events     of the last 30 days, newest
    GET  /2/dm_conversations/:dm_conversation_id/dm_events      first: dm_event.fields,
                                           event_types, expansions, user.fields, max_results
                                           (1-100, default 100), pagination_token

Every listing and the lookup take `tweet.fields`, `user.fields` and `expansions` (checked against
X's own lists, so a typo is the 400 X would give); listings answer `data` / `includes` / `meta`,
newest first. Search looks back seven days, as recent search does. Credentials must be present,
Bearer or OAuth 1, but signatures are never checked. X refuses a second post with the same text,
and so does the sandbox.

Direct messages are `MessageCreate` events: `id`, `event_type` and `text` by default, the other
fields on request; a one-to-one conversation is named `<smaller user id>-<larger user id>`, as on
X. Anyone who posted on X can be written to, by user id.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any, ClassVar

from aiohttp import web

from socialcx.channels import Channel
from socialcx.sandbox.base import ApiError, ChannelApi, Route, World, id_param, iso_time
from socialcx.sandbox.limits import Budget, RateState
from socialcx.sandbox.posts import Author, Post, Predicate, base36, post_key
from socialcx.sandbox.query import Operator, QueryError, compile_query, word_pattern

__all__ = ["XApi"]

# X's own lists of fields and expansions: any other value is refused, as X refuses it.
_TWEET_FIELDS = frozenset(
    "article attachments author_id card_uri community_id context_annotations conversation_id "
    "created_at display_text_range edit_controls edit_history_tweet_ids entities geo id "
    "in_reply_to_user_id lang media_metadata non_public_metrics note_tweet organic_metrics "
    "possibly_sensitive promoted_metrics public_metrics referenced_tweets reply_settings scopes "
    "source text withheld".split()
)
_USER_FIELDS = frozenset(
    "affiliation connection_status created_at description entities id is_identity_verified "
    "location most_recent_tweet_id name parody pinned_tweet_id profile_banner_url "
    "profile_image_url protected public_metrics receives_your_dm subscription subscription_type "
    "url username verified verified_followers_count verified_type withheld".split()
)
_EXPANSIONS = frozenset(
    "article.cover_media article.media_entities attachments.media_keys "
    "attachments.media_source_tweet attachments.poll_ids author_id edit_history_tweet_ids "
    "entities.mentions.username entities.note.mentions.username geo.place_id in_reply_to_user_id "
    "pinned_tweet_id referenced_tweets.id referenced_tweets.id.attachments.media_keys "
    "referenced_tweets.id.author_id".split()
)
_DM_EVENT_FIELDS = frozenset(
    "attachments cashtags created_at dm_conversation_id entities event_type hashtags id mentions "
    "participant_ids referenced_tweets sender_id text urls".split()
)
_DM_EXPANSIONS = frozenset(
    "attachments.media_keys participant_ids referenced_tweets.id sender_id".split()
)
_DM_EVENT_TYPES = frozenset({"MessageCreate", "ParticipantsJoin", "ParticipantsLeave"})
_DM_REQUIRED = ("text", "created_at", "sender_id")  # what `missing_fields` takes from an event
_DM_BACK = timedelta(days=30)  # how far back the DM lookups reach
_MAX_DM_TEXT = 10_000
_RECENT = timedelta(days=7)
_TOKEN_PREFIX = "sbx"
_MAX_TEXT = 280
_MAX_IDS = 100  # posts one lookup may name
_MENTION = re.compile(r"(?<![\w@])@(\w{1,15})")
_HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
_URL = re.compile(r"https?://\S+")


@dataclass(frozen=True, slots=True)
class _Fields:
    """What a request asked to see: `tweet.fields`, `user.fields` and `expansions`."""

    tweet: frozenset[str]
    user: frozenset[str]
    expansions: frozenset[str]


class XApi(ChannelApi):
    """X API v2 (alias `x`): recent search, mentions timeline, user lookup and posting."""

    channel = Channel.X
    private_messages = True
    budgets: ClassVar[dict[str, Budget]] = {
        "x.search": Budget(450, 900),
        "x.mentions": Budget(450, 900),
        "x.lookup": Budget(450, 900),
        "x.user": Budget(300, 900),
        "x.me": Budget(75, 900),
        "x.post": Budget(200, 900),
        "x.dm_send": Budget(200, 900),
        "x.dm_events": Budget(300, 900),
    }
    required_fields = ("text", "created_at", "author_id")

    def __init__(self, sandbox: World) -> None:
        super().__init__(sandbox)
        account = self.sandbox.scenario.account
        self._our_texts = {
            post.text for post in self.timeline.posts() if post.author.id == account.id
        }
        self._operators: dict[str, Operator] = {
            "from": lambda value: _by_user(value, lambda post: post.author),
            "to": lambda value: _by_user(value, lambda post: post.parent_author),
            "lang": lambda value: lambda post: post.language == value,
            "conversation_id": lambda value: (
                lambda post: (post.conversation_id or post.id) == value
            ),
            "in_reply_to_tweet_id": lambda value: lambda post: post.in_reply_to == value,
            "is": _is,
            "has": _has,
        }

    def routes(self) -> list[Route]:
        return [
            Route(
                "x.search",
                "GET",
                "/2/tweets/search/recent",
                self.search,
                "x.search",
                lists_posts=True,
            ),
            Route(
                "x.mentions",
                "GET",
                "/2/users/{id}/mentions",
                self.mentions,
                "x.mentions",
                lists_posts=True,
            ),
            Route("x.lookup", "GET", "/2/tweets", self.lookup, "x.lookup", lists_posts=True),
            Route("x.me", "GET", "/2/users/me", self.me, "x.me"),
            Route("x.user", "GET", "/2/users/by/username/{username}", self.user, "x.user"),
            Route("x.post", "POST", "/2/tweets", self.post, "x.post"),
            Route(
                "x.dm_send",
                "POST",
                "/2/dm_conversations/with/{participant_id}/messages",
                self.dm_send,
                "x.dm_send",
            ),
            Route(
                "x.dm_events",
                "GET",
                "/2/dm_events",
                self.dm_events,
                "x.dm_events",
                lists_posts=True,
            ),
            Route(
                "x.dm_with",
                "GET",
                "/2/dm_conversations/with/{participant_id}/dm_events",
                self.dm_events,
                "x.dm_events",
                lists_posts=True,
            ),
            Route(
                "x.dm_conversation",
                "GET",
                "/2/dm_conversations/{dm_conversation_id}/dm_events",
                self.dm_events,
                "x.dm_events",
                lists_posts=True,
            ),
        ]

    def authorized(self, request: web.Request, route: Route) -> bool:
        return request.headers.get("Authorization", "").startswith(("Bearer ", "OAuth "))

    def error(self, status: int, message: str) -> web.Response:
        if status == 400:
            body: dict[str, Any] = {
                "errors": [{"message": message}],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request",
            }
        else:
            body = {
                "title": HTTPStatus(status).phrase,
                "detail": message,
                "type": "about:blank",
                "status": status,
            }
        return web.json_response(body, status=status)

    def rate_headers(self, state: RateState) -> dict[str, str]:
        return {
            "x-rate-limit-limit": str(state.limit),
            "x-rate-limit-remaining": str(state.remaining),
            "x-rate-limit-reset": str(int(state.reset_at)),
        }

    async def search(self, request: web.Request) -> web.Response:
        query = request.query.get("query", "")
        if not query.strip() or len(query) > 512:
            raise ApiError(
                400, "The `query` query parameter must hold between 1 and 512 characters"
            )
        if request.query.get("sort_order", "recency") not in ("recency", "relevancy"):
            raise ApiError(
                400, "The `sort_order` query parameter value is not one of [recency,relevancy]"
            )
        try:
            match = compile_query(query, self._operators, text=lambda post: post.text)
        except QueryError as exc:
            raise ApiError(400, f"There were errors processing your request: {exc}") from None
        floor = post_key(self.now() - _RECENT, 0) - 1
        return self._tweets(
            request, ("search", query), match, fewest=10, token="next_token", floor=floor
        )

    async def mentions(self, request: web.Request) -> web.Response:
        user = self.person(user_id=request.match_info["id"])
        if user is None:
            return _not_found("id", request.match_info["id"])
        pattern = word_pattern(f"@{user.handle}")
        return self._tweets(
            request,
            ("mentions", user.id),
            lambda post: post.author.id != user.id and pattern.search(post.text) is not None,
            fewest=5,
            token="pagination_token",
            floor=None,
        )

    async def lookup(self, request: web.Request) -> web.Response:
        """The posts named by `ids` that are still there, in the order asked; X answers 200 and
        names each one deleted or never made in `errors`."""
        ids = request.query.get("ids", "").split(",")
        if not 1 <= len(ids) <= _MAX_IDS:
            raise ApiError(
                400, f"The `ids` query parameter value must hold between 1 and {_MAX_IDS} ids"
            )
        if wrong := [tweet_id for tweet_id in ids if not tweet_id.isdigit() or len(tweet_id) > 19]:
            raise ApiError(400, f"The `ids` query parameter value [{wrong[0]}] is not valid")
        fields = _fields(request)
        posts = [post for tweet_id in dict.fromkeys(ids) if (post := self.find(tweet_id))]
        data = [self._tweet(post, fields.tweet) for post in posts]
        self.strip_fields(request, data)
        body: dict[str, Any] = {"data": data} if data else {}
        if includes := self._includes(posts, fields):
            body["includes"] = includes
        found = {post.id for post in posts}
        if gone := [tweet_id for tweet_id in ids if tweet_id not in found]:
            body["errors"] = [_missing("tweet", "ids", tweet_id) for tweet_id in gone]
        return web.json_response(body)

    async def me(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"data": self._user(self.sandbox.scenario.account, _fields(request).user)}
        )

    async def user(self, request: web.Request) -> web.Response:
        username = request.match_info["username"]
        user = self.person(handle=username)
        if user is None:
            return _not_found("username", username)
        return web.json_response({"data": self._user(user, _fields(request).user)})

    async def post(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "The request body is not valid JSON") from None
        text = body.get("text") if isinstance(body, dict) else None
        reply = body.get("reply") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "`text` is required to create a Tweet")
        if len(text) > _MAX_TEXT:
            raise ApiError(403, "Your Tweet text is too long.")
        if text in self._our_texts:
            raise ApiError(403, "You are not allowed to create a Tweet with duplicate content.")
        parent = None
        if reply is not None:
            parent = self.find(
                str(reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else "")
            )
            if parent is None:
                raise ApiError(
                    403, "You attempted to reply to a Tweet that is deleted or not visible to you."
                )
        post = self.publish(
            text,
            parent,
            in_reply_to=parent.id if parent else None,
            conversation_id=(parent.conversation_id or parent.id) if parent else None,
        )
        self._our_texts.add(text)
        return web.json_response(
            {"data": {"id": post.id, "text": post.text, "edit_history_tweet_ids": [post.id]}},
            status=201,
        )

    async def dm_send(self, request: web.Request) -> web.Response:
        """A one-to-one direct message from our account to the participant, in their
        conversation with us (made on the first message)."""
        account = self.sandbox.scenario.account
        recipient = self._participant(request)
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "The request body is not valid JSON") from None
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "One of `text` or `attachments` is required")
        if len(text) > _MAX_DM_TEXT:
            raise ApiError(400, f"`text` must hold at most {_MAX_DM_TEXT} characters")
        message = self.deliver(account, recipient, text, self.now())
        data = {"dm_conversation_id": message.conversation_id, "dm_event_id": message.id}
        return web.json_response({"data": data}, status=201)

    async def dm_events(self, request: web.Request) -> web.Response:
        """One page of our account's `MessageCreate` events, newest first: all of them, or one
        conversation's (by participant or by conversation id)."""
        conversation = request.match_info.get("dm_conversation_id")
        if "participant_id" in request.match_info:
            participant = self._participant(request)
            conversation = self.conversation(self.sandbox.scenario.account, participant, "")
        event_types = _choices(request, "event_types", _DM_EVENT_TYPES)
        fields = _choices(request, "dm_event.fields", _DM_EVENT_FIELDS)
        expansions = _choices(request, "expansions", _DM_EXPANSIONS)
        users = _choices(request, "user.fields", _USER_FIELDS)
        page = self.listing(
            request,
            ("dm", conversation),
            lambda message: conversation is None or message.conversation_id == conversation,
            above=post_key(self.now() - _DM_BACK, 0) - 1,
            below=_token(request, "pagination_token"),
            limit=_integer(request, "max_results", 100, 1, 100),
            timeline=self.private,
        )
        messages = [] if event_types and "MessageCreate" not in event_types else page.posts
        data = [_dm_event(message, fields) for message in messages]
        self.strip_fields(request, data, _DM_REQUIRED)
        meta: dict[str, Any] = {"result_count": len(data)}
        if messages and page.more:
            meta["next_token"] = _TOKEN_PREFIX + base36(messages[-1].key)
        body: dict[str, Any] = {"data": data} if data else {}
        if "sender_id" in expansions and messages:
            senders = {message.author.id: message.author for message in messages}
            body["includes"] = {"users": [self._user(user, users) for user in senders.values()]}
        body["meta"] = meta
        return web.json_response(body)

    def _participant(self, request: web.Request) -> Author:
        """The other member of a one-to-one conversation, named in the path: someone X knows,
        not our account."""
        participant_id = request.match_info["participant_id"]
        participant = self.person(user_id=participant_id)
        if participant is None or participant.id == self.sandbox.scenario.account.id:
            raise ApiError(
                400, f"The `participant_id` path parameter value [{participant_id}] is not valid"
            )
        return participant

    def _tweets(
        self,
        request: web.Request,
        view: Hashable,
        match: Predicate,
        *,
        fewest: int,
        token: str,
        floor: int | None,
    ) -> web.Response:
        """One page of a tweet listing, newest first, bounded by ids, times and the page token."""
        fields = _fields(request)
        limit = _integer(request, "max_results", 10, fewest, 100)
        above = [floor, id_param(request, "since_id"), _time_param(request, "start_time", -1)]
        below = [
            id_param(request, "until_id"),
            _time_param(request, "end_time", 0),
            _token(request, token),
        ]
        page = self.listing(
            request,
            view,
            match,
            above=max((key for key in above if key is not None), default=None),
            below=min((key for key in below if key is not None), default=None),
            limit=limit,
        )
        posts = [post for post in page.posts if not self.timeline.removal(post)]
        data = [self._tweet(post, fields.tweet) for post in posts]
        self.strip_fields(request, data)
        meta: dict[str, Any] = {"result_count": len(data)}
        if posts:
            meta |= {"newest_id": posts[0].id, "oldest_id": posts[-1].id}
        if page.more:
            meta["next_token"] = _TOKEN_PREFIX + base36(page.posts[-1].key)
        body: dict[str, Any] = {"data": data} if data else {}
        if includes := self._includes(posts, fields):
            body["includes"] = includes
        body["meta"] = meta
        return web.json_response(body)

    def _includes(self, posts: list[Post], fields: _Fields) -> dict[str, list[dict[str, Any]]]:
        """The objects `expansions` asked for: authors, the users and tweets replied to."""
        parents = [
            parent for post in posts if post.in_reply_to and (parent := self.find(post.in_reply_to))
        ]
        users: dict[str, Author] = {}
        if "author_id" in fields.expansions:
            users |= {post.author.id: post.author for post in posts}
        if "in_reply_to_user_id" in fields.expansions:
            users |= {
                post.parent_author.id: post.parent_author for post in posts if post.parent_author
            }
        if "referenced_tweets.id.author_id" in fields.expansions:
            users |= {parent.author.id: parent.author for parent in parents}
        includes = {}
        if users:
            includes["users"] = [self._user(user, fields.user) for user in users.values()]
        if parents and "referenced_tweets.id" in fields.expansions:
            includes["tweets"] = [self._tweet(parent, fields.tweet) for parent in parents]
        return includes

    def _tweet(self, post: Post, fields: frozenset[str]) -> dict[str, Any]:
        tweet: dict[str, Any] = {
            "id": post.id,
            "text": post.text,
            "edit_history_tweet_ids": [post.id],
        }
        values: dict[str, Any] = {
            "created_at": iso_time(post.created_at),
            "author_id": post.author.id,
            "conversation_id": post.conversation_id or post.id,
            "lang": post.language or "und",
            "possibly_sensitive": False,
            "reply_settings": "everyone",
            "public_metrics": {
                "retweet_count": post.score // 7,
                "reply_count": post.score // 11,
                "like_count": post.score,
                "quote_count": post.score // 31,
                "bookmark_count": post.score // 13,
                "impression_count": post.score * 37 + post.author.followers // 10,
            },
        }
        if post.in_reply_to and post.parent_author:
            values["in_reply_to_user_id"] = post.parent_author.id
            values["referenced_tweets"] = [{"type": "replied_to", "id": post.in_reply_to}]
        tweet |= {name: value for name, value in values.items() if name in fields}
        if "entities" in fields and (entities := _entities(post.text)):
            tweet["entities"] = entities
        return tweet

    def _user(self, user: Author, fields: frozenset[str]) -> dict[str, Any]:
        seed = zlib.crc32(user.id.encode("ascii"))
        optional = {
            "created_at": iso_time(
                datetime(2009, 1, 1, tzinfo=UTC) + timedelta(seconds=seed % 473_000_000)
            ),
            "description": "",
            "location": "",
            "protected": False,
            "verified": False,
            "verified_type": "none",
            "profile_image_url": f"https://pbs.twimg.com/profile_images/{user.id}/avatar_normal.jpg",
            "public_metrics": {
                "followers_count": user.followers,
                "following_count": seed % 1_500,
                "tweet_count": seed % 40_000,
                "listed_count": user.followers // 100,
                "like_count": seed % 90_000,
            },
        }
        return {"id": user.id, "name": user.name, "username": user.handle} | {
            name: value for name, value in optional.items() if name in fields
        }


def _dm_event(message: Post, fields: frozenset[str]) -> dict[str, Any]:
    """A direct message as X's `MessageCreate` event, with the fields asked for."""
    values = {
        "created_at": iso_time(message.created_at),
        "dm_conversation_id": message.conversation_id,
        "sender_id": message.author.id,
    }
    event = {"id": message.id, "event_type": "MessageCreate", "text": message.text}
    return event | {name: value for name, value in values.items() if name in fields}


def _by_user(value: str, who: Callable[[Post], Author | None]) -> Predicate:
    """`from:` and `to:` take a username, with or without @, or a user id."""
    wanted = value.removeprefix("@").lower()

    def match(post: Post) -> bool:
        user = who(post)
        return user is not None and (user.handle.lower() == wanted or user.id == wanted)

    return match


def _is(value: str) -> Predicate:
    if value == "reply":
        return lambda post: post.in_reply_to is not None
    if value in ("retweet", "quote", "verified", "nullcast"):
        return lambda post: False  # the sandbox holds no retweets, quotes or verified authors
    raise QueryError(f"is:{value} is not a valid operator")


def _has(value: str) -> Predicate:
    patterns = {"links": _URL, "mentions": _MENTION, "hashtags": _HASHTAG}
    if value in patterns:
        pattern = patterns[value]
        return lambda post: pattern.search(post.text) is not None
    if value in ("media", "images", "videos", "geo"):
        return lambda post: False  # the sandbox holds no media and no places
    raise QueryError(f"has:{value} is not a valid operator")


def _entities(text: str) -> dict[str, list[dict[str, Any]]]:
    """X's entities: where the mentions, hashtags and links sit in the text."""
    entities = {
        "mentions": [
            {"start": m.start(), "end": m.end(), "username": m.group(1)}
            for m in _MENTION.finditer(text)
        ],
        "hashtags": [
            {"start": m.start(), "end": m.end(), "tag": m.group(1)} for m in _HASHTAG.finditer(text)
        ],
        "urls": [
            {
                "start": m.start(),
                "end": m.end(),
                "url": m.group(),
                "expanded_url": m.group(),
                "display_url": m.group(),
            }
            for m in _URL.finditer(text)
        ],
    }
    return {name: found for name, found in entities.items() if found}


def _not_found(parameter: str, value: str) -> web.Response:
    """X answers a lookup of someone who does not exist with 200 and an error entry."""
    return web.json_response({"errors": [_missing("user", parameter, value)]})


def _missing(resource: str, parameter: str, value: str) -> dict[str, str]:
    """The `errors` entry X gives for a user or post it cannot find."""
    return {
        "value": value,
        "detail": f"Could not find {resource} with {parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": resource,
        "parameter": parameter,
        "resource_id": value,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }


def _fields(request: web.Request) -> _Fields:
    return _Fields(
        tweet=_choices(request, "tweet.fields", _TWEET_FIELDS),
        user=_choices(request, "user.fields", _USER_FIELDS),
        expansions=_choices(request, "expansions", _EXPANSIONS),
    )


def _choices(request: web.Request, name: str, allowed: frozenset[str]) -> frozenset[str]:
    chosen = frozenset(value for value in request.query.get(name, "").split(",") if value)
    if wrong := sorted(chosen - allowed):
        raise ApiError(
            400,
            f"The `{name}` query parameter value [{','.join(wrong)}] "
            f"is not one of [{','.join(sorted(allowed))}]",
        )
    return chosen


def _integer(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ApiError(
            400, f"The `{name}` query parameter value [{raw}] is not between {low} and {high}"
        )
    return int(raw)


def _time_param(request: web.Request, name: str, shift: int) -> int | None:
    """A time as a key bound: `start_time` includes its millisecond, `end_time` excludes it."""
    raw = request.query.get(name)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(
            400, f"The `{name}` query parameter value [{raw}] is not a valid RFC 3339 time"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return post_key(moment, 0) + shift


def _token(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name)
    if raw is None:
        return None
    try:
        if not raw.startswith(_TOKEN_PREFIX):
            raise ValueError(raw)
        return int(raw.removeprefix(_TOKEN_PREFIX), 36)
    except ValueError:
        raise ApiError(400, f"The `{name}` query parameter value [{raw}] is not valid") from None
