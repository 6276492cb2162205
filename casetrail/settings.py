"""CaseTrail settings: one file, strict environment variables, zero-config defaults.

With no environment at all the app runs on SQLite (WAL, IMMEDIATE transactions) with files under
``var/``; production sets ``DATABASE_URL``, ``CASETRAIL_SECRET_KEY`` and friends.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import dj_database_url

from casetrail.lib.env import ConfigError, envbool, envchoice, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("CASETRAIL_VAR_DIR", str(BASE_DIR / "var")))
TESTING = "pytest" in sys.modules or envbool("CASETRAIL_TESTING", False)

DEBUG = envbool("CASETRAIL_DEBUG", False)
# The demo (`make run`, `make demo`): its shared password and the embedded SECRET_KEY are allowed.
DEMO = envbool("CASETRAIL_DEMO", False)
# The default key is only for the embedded single-machine setup; a deployment sets its own.
SECRET_KEY = envstr(
    "CASETRAIL_SECRET_KEY", "casetrail-embedded-default-key-change-me-in-production"
)
ALLOWED_HOSTS = [
    h.strip() for h in envstr("CASETRAIL_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
] + (["testserver"] if TESTING else [])
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in envstr("CASETRAIL_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "axes",  # login lockout (issue 15)
    "django_otp",  # TOTP second factor (issue 15, casetrail.org.second_factor)
    "django_otp.plugins.otp_totp",
    # In layer order (README, Layout): each app's ready() registers into the apps below it.
    "casetrail.org",
    "casetrail.ledger",
    "casetrail.cases",
    "casetrail.evidence",
    "casetrail.records",
    "casetrail.approvals",
    "casetrail.compliance",
    "casetrail.start",
    "casetrail.decisions",
    "casetrail.documents",
    "casetrail.archive",
    "casetrail.access",  # 调用单, redaction, copy packages (issue 13)
    "casetrail.oversight",
    "casetrail.ops",  # backup and restore (issue 15)
    "casetrail.demo",
]

MIDDLEWARE = [
    "casetrail.lib.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication: keys are per login (casetrail.org.idempotency).
    "casetrail.org.idempotency.IdempotencyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Issue 15: idle and absolute session timeouts, a reset password changed first, CSP header.
    "casetrail.org.sessions.SessionTimeoutMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a lockout into the Chinese answer with the time to wait.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "casetrail.urls"
WSGI_APPLICATION = "casetrail.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "casetrail" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "casetrail.org.context_processors.officer",
            ],
            # {% idempotency_field %} in every form without {% load %}.
            "builtins": ["casetrail.org.templatetags.idempotency"],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'casetrail.sqlite3'}")
try:
    # Persistent connections (issue 18): opening one (and on SQLite its PRAGMAs) on every request
    # cost more than a small page's queries. Tests keep 0: each test's connection is its own.
    _db = dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=envint("CASETRAIL_DB_CONN_MAX_AGE", 0 if TESTING else 600),
        conn_health_checks=True,
    )
except Exception as exc:  # dj_database_url raises several types for a malformed URL
    raise ConfigError(f"DATABASE_URL={DATABASE_URL!r} is not a database URL: {exc}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _db["NAME"] not in ("", ":memory:"):
        # Zero-config: the embedded database lives under var/, created on first use.
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _db["OPTIONS"] = {
        # synchronous=FULL (issue 15, durability): in WAL mode NORMAL may lose the last committed
        # transactions on a power cut — an acknowledged ledger entry among them; FULL syncs the
        # WAL at every commit.
        # IMMEDIATE: a writing transaction takes the write lock at BEGIN, so two appends to the same
        # agency's log are serialised instead of failing with "database is locked" on upgrade.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
        ),
    }
elif _db["ENGINE"] != "django.db.backends.postgresql":
    raise ConfigError("DATABASE_URL must name sqlite or postgres(ql); CaseTrail supports those two")
if "TEST" not in _db and _db["ENGINE"] == "django.db.backends.postgresql":
    _db["TEST"] = {"NAME": envstr("CASETRAIL_TEST_DB_NAME", f"test_{_db['NAME']}")}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": envint("CASETRAIL_PASSWORD_MIN_LENGTH", 10, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # The demo's shared password is refused outside the demo (issue 15).
    {"NAME": "casetrail.org.passwords.NotDemoPasswordValidator"},
]
# Argon2id first (issue 18: a PBKDF2 login at 10^6 rounds cost 0.44 s of a core, 1.5 s p95 under
# load; bench/password_hash.py); PBKDF2 kept so existing hashes verify, and Django rehashes them
# with Argon2id at the next login. Tests hash with MD5: fast, never used for real data.
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TESTING
    else [
        "casetrail.org.passwords.Argon2idHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = envstr("CASETRAIL_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "casetrail" / "locale"]

STATIC_URL = "/static/"
# Only for `collectstatic` deployments; by default whitenoise serves straight from the finders.
STATIC_ROOT = envstr("CASETRAIL_STATIC_ROOT", "") or None
# htmx comes from the npm registry package installed by `make` into node_modules, never the repo.
STATICFILES_DIRS = [BASE_DIR / "casetrail" / "static"] + [
    p for p in [BASE_DIR / "node_modules" / "htmx.org" / "dist"] if p.is_dir()
]
WHITENOISE_USE_FINDERS = True  # serve straight from the finders: no collectstatic step needed
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "worklist"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("CASETRAIL_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_FAILURE_VIEW = "casetrail.lib.middleware.csrf_failure"

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # API tokens stored hashed, with a name and an expiry (issue 15).
        "casetrail.org.tokens.HashedTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "casetrail.lib.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "casetrail.lib.api.Pagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CaseTrail 执法全过程记录系统 API",
    "DESCRIPTION": "每个写操作都是一个动作（action）；错误返回 {code, message}，message 为中文说明。",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every /api/ operation documents its 4xx answers and their codes (casetrail.lib.openapi).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "casetrail.lib.openapi.document_errors",
    ],
}

# --- accounts and login protection (issue 15) -----------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: refuses a locked-out login before the password is checked.
    "casetrail.org.login.LockoutBackend",
    # Django's ModelBackend whose get_user also reads the officer and its roles: one query on
    # every request where there were three (issue 18). Sessions made under the plain
    # ModelBackend end once at the upgrade (Django logs out a session whose backend is gone).
    "casetrail.org.backends.OfficerBackend",
]
# Lockout after this many failures, per login name and (separately) per address, for the cool-down.
AXES_FAILURE_LIMIT = envint("CASETRAIL_LOGIN_FAILURES", 5, minimum=1)
AXES_COOLOFF_MINUTES = envint("CASETRAIL_LOGIN_COOLOFF_MINUTES", 15, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "casetrail.org.login.lockout_response"
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # successes are in the ledger (org.login)
AXES_ENABLED = envbool("CASETRAIL_LOGIN_LOCKOUT", True)
# Sessions end after CASETRAIL_SESSION_IDLE_MINUTES without a request and, whatever happens,
# CASETRAIL_SESSION_MAX_HOURS after the login; the cookie does not outlive the absolute limit.
CASETRAIL_SESSION_IDLE_MINUTES = envint("CASETRAIL_SESSION_IDLE_MINUTES", 30, minimum=1)
CASETRAIL_SESSION_MAX_HOURS = envint("CASETRAIL_SESSION_MAX_HOURS", 12, minimum=1)
SESSION_COOKIE_AGE = CASETRAIL_SESSION_MAX_HOURS * 3600
# Sensitive actions (approving a decision, changing an account …) ask for the password again
# when it was last given longer ago than this (casetrail.org.reauth).
CASETRAIL_REAUTH_MINUTES = envint("CASETRAIL_REAUTH_MINUTES", 10, minimum=1)
# TOTP second factor (casetrail.org.second_factor): offered to reviewers, legal reviewers,
# approvers and administrators; the roles listed here must bind an authenticator before anything
# else (default none: optional). E.g. CASETRAIL_TOTP_REQUIRED_ROLES=approver,admin
CASETRAIL_TOTP_REQUIRED_ROLES = envlist("CASETRAIL_TOTP_REQUIRED_ROLES")
if set(CASETRAIL_TOTP_REQUIRED_ROLES) - {"reviewer", "legal_reviewer", "approver", "admin"}:
    raise ConfigError(
        "CASETRAIL_TOTP_REQUIRED_ROLES takes reviewer, legal_reviewer, approver, admin"
    )
OTP_TOTP_ISSUER = "CaseTrail"
# Oversight (第三十三条): reading a case's marked material in more sessions than this, without being
# on the case, is a finding (marked_read).
CASETRAIL_MARKED_READ_LIMIT = envint("CASETRAIL_MARKED_READ_LIMIT", 3, minimum=1)
# Oversight (issue 18): the findings' refresh looks at this many changed cases per run of its task,
# then re-enqueues itself, so the minute jobs run between chunks of a long (first) pass. A case
# costs about 12 ms of CPU on a full pass (bench/findings.py at 2,000 cases): 500 is ~6 s a run.
CASETRAIL_FINDINGS_CASES = envint("CASETRAIL_FINDINGS_CASES", 500, minimum=1)
# API tokens: the default and the longest validity of a new token.
CASETRAIL_TOKEN_DAYS = envint("CASETRAIL_TOKEN_DAYS", 90, minimum=1)
CASETRAIL_TOKEN_MAX_DAYS = envint("CASETRAIL_TOKEN_MAX_DAYS", 365, minimum=1)

# --- headers (issue 15) -------------------------------------------------------------------------
# Scripts only from this site (htmx and the pages' own files; no inline script anywhere). Styles
# keep 'unsafe-inline' while the templates' inline style attributes are being removed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Behind TLS (production): HSTS and the redirect to https, set together with secure cookies.
SECURE_SSL_REDIRECT = envbool("CASETRAIL_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = envint("CASETRAIL_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# Only once the whole domain is served over https (browsers keep the preload list for months).
SECURE_HSTS_PRELOAD = envbool("CASETRAIL_HSTS_PRELOAD", False)
if envstr("CASETRAIL_PROXY_SSL_HEADER", ""):  # e.g. "HTTP_X_FORWARDED_PROTO" behind nginx
    SECURE_PROXY_SSL_HEADER = (envstr("CASETRAIL_PROXY_SSL_HEADER", ""), "https")
# The embedded key is refused when serving unless CASETRAIL_DEBUG or the demo is on
# (casetrail.org.checks: at start-up and in `casetrail check --deploy`).
EMBEDDED_SECRET_KEY = "casetrail-embedded-default-key-change-me-in-production"

# --- the web server (read by `casetrail run`) ---------------------------------------------------
# gthread workers (issue 18, load): a request waiting on the database or a slow client holds a
# thread, not a whole process, and idle keep-alive connections cost a thread each instead of a
# worker. 3 processes × 8 threads served 100 concurrent users on 2 cores (bench/load.py); threads
# share a process's GIL, so CPU-bound pages scale with WORKERS, waits with THREADS. KEEPALIVE (s)
# is longer than a browser's idle reuse and than a proxy's idle timeout (nginx: 60 s), so the
# proxy closes first and never sends into a closing socket.
CASETRAIL_BIND = envstr("CASETRAIL_BIND", "127.0.0.1:8000")
CASETRAIL_WEB_WORKERS = envint("CASETRAIL_WEB_WORKERS", 3, minimum=1)
CASETRAIL_WEB_THREADS = envint("CASETRAIL_WEB_THREADS", 8, minimum=1)
CASETRAIL_WEB_KEEPALIVE = envint("CASETRAIL_WEB_KEEPALIVE", 75, minimum=0)

# --- background tasks -------------------------------------------------------------------------
CASETRAIL_TASKS = envchoice("CASETRAIL_TASKS", "db", ("db", "rq", "immediate"))
REDIS_URL = envstr("REDIS_URL", "redis://127.0.0.1:6379/0")
# Read by django-rq (the `rqworker` command and the backend's queues) whichever backend is chosen,
# so a test can switch TASKS to RQ and get the deployment's queues. JOB_CLASS: django-tasks-rq
# enqueues its own Job class (it calls the task through ``Task.call`` and keeps the result for
# django-tasks); a worker fetching rq's plain Job instead calls the Task object itself and every
# job fails ("TypeError: 'Task' object is not callable"; casetrail/tests/test_tasks_rq.py).
RQ_QUEUES = {"default": {"URL": REDIS_URL}}
RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
TASKS: dict[str, dict[str, object]]
if TESTING or CASETRAIL_TASKS == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
elif CASETRAIL_TASKS == "rq":
    INSTALLED_APPS += ["django_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- CaseTrail --------------------------------------------------------------------------------
# 第九条 / 行政强制法第十九条: an emergency start must be approved afterwards within this many hours.
CASETRAIL_EMERGENCY_APPROVAL_HOURS = envint("CASETRAIL_EMERGENCY_APPROVAL_HOURS", 24, minimum=1)
# 第二十一条（五） / 行政处罚法第五十二条: a decision made on the spot is filed with the agency within
# this many working days (行政处罚法第八十五条: 二日 counts working days).
CASETRAIL_SUMMARY_FILING_DAYS = envint("CASETRAIL_SUMMARY_FILING_DAYS", 2, minimum=1)
# The ledger (第三十五条): hash of new agency logs, checkpoint cadence, signing key, optional TSA.
CASETRAIL_LEDGER_HASH = envchoice("CASETRAIL_LEDGER_HASH", "sm3", ("sm3", "sha256"))
CASETRAIL_CHECKPOINT_EVERY = envint("CASETRAIL_CHECKPOINT_EVERY", 100, minimum=0)
CASETRAIL_CHECKPOINT_SECONDS = envint("CASETRAIL_CHECKPOINT_SECONDS", 300, minimum=1)
# How often the scheduler refreshes the database planner's statistics (issue 18; SQLite: a bounded
# ANALYZE of a few milliseconds; PostgreSQL leaves it to autovacuum).
CASETRAIL_ANALYZE_SECONDS = envint("CASETRAIL_ANALYZE_SECONDS", 3600, minimum=60)
CASETRAIL_KEY_DIR = Path(envstr("CASETRAIL_KEY_DIR", str(VAR_DIR / "keys")))
# Generate the signing key on first use; production may set 0 to insist on a provisioned key.
CASETRAIL_KEY_AUTOCREATE = envbool("CASETRAIL_KEY_AUTOCREATE", True)
CASETRAIL_TSA_URL = envstr("CASETRAIL_TSA_URL", "")
CASETRAIL_TSA_TIMEOUT = envint("CASETRAIL_TSA_TIMEOUT", 10, minimum=1)
# RFC 3161 checked properly: the TSA's CA (or its self-signed certificate), PEM; optionally the exact
# signing certificate and the policy OID to insist on; how far genTime may be from the checkpoint.
CASETRAIL_TSA_CA = envstr("CASETRAIL_TSA_CA", "")
CASETRAIL_TSA_CERT = envstr("CASETRAIL_TSA_CERT", "")
CASETRAIL_TSA_POLICY = envstr("CASETRAIL_TSA_POLICY", "")
CASETRAIL_TSA_MAX_SKEW = envint("CASETRAIL_TSA_MAX_SKEW", 300, minimum=1)
# Trust beyond the agency (issue 14, 第三十五条（三））: pinned checkpoint keys, witnesses, publication.
# CASETRAIL_LEDGER_KEYS: comma-separated C2SP vkeys (name = the log's origin) that `verify` trusts;
# unset: the keys pinned by ledgered actions (first key on first checkpoint, rotations signed by the
# old key). A key file in CASETRAIL_KEY_DIR is never trusted by itself.
CASETRAIL_LEDGER_KEYS = [
    k.strip() for k in envstr("CASETRAIL_LEDGER_KEYS", "").split(",") if k.strip()
]
# CASETRAIL_WITNESSES: comma-separated "<url> <witness vkey>" (C2SP tlog-witness submission prefix
# and its cosignature/v1 key). Unset: the local witness `casetrail run` starts (CASETRAIL_LOCAL_WITNESS,
# state under var/witness, listening on CASETRAIL_LOCAL_WITNESS_BIND); 0 turns it off.
CASETRAIL_WITNESSES = [w.strip() for w in envstr("CASETRAIL_WITNESSES", "").split(",") if w.strip()]
CASETRAIL_LOCAL_WITNESS = envbool("CASETRAIL_LOCAL_WITNESS", not TESTING)
CASETRAIL_LOCAL_WITNESS_BIND = envstr("CASETRAIL_LOCAL_WITNESS_BIND", "127.0.0.1:7380")
CASETRAIL_WITNESS_DIR = Path(envstr("CASETRAIL_WITNESS_DIR", str(VAR_DIR / "witness")))
# 国密: agencies (统一社会信用代码, comma-separated, or *) whose checkpoints also carry an SM2 line.
CASETRAIL_SM2 = [c.strip() for c in envstr("CASETRAIL_SM2", "").split(",") if c.strip()]
# How many witnesses must cosign before a checkpoint counts as witnessed (0: all configured).
CASETRAIL_WITNESS_QUORUM = envint("CASETRAIL_WITNESS_QUORUM", 1, minimum=0)
CASETRAIL_WITNESS_TIMEOUT = envint("CASETRAIL_WITNESS_TIMEOUT", 10, minimum=1)
# A checkpoint still unwitnessed after this many hours goes on the supervisors' worklist.
CASETRAIL_UNWITNESSED_HOURS = envint("CASETRAIL_UNWITNESSED_HOURS", 1, minimum=0)
# Every checkpoint (with cosignatures) is also written here: a folder another body reads, or an
# s3://bucket/prefix (with the S3_* settings). Empty: not pushed.
CASETRAIL_PUBLISH_TO = envstr("CASETRAIL_PUBLISH_TO", "")
# Holidays and adjusted working days beyond the chinese-calendar data (comma-separated dates).
CASETRAIL_HOLIDAYS = envstr("CASETRAIL_HOLIDAYS", "")
CASETRAIL_WORKDAYS = envstr("CASETRAIL_WORKDAYS", "")
# 第十八条: how many of the agency's leaders (批准人) a 集体讨论 needs.
CASETRAIL_COLLECTIVE_QUORUM = envint("CASETRAIL_COLLECTIVE_QUORUM", 3, minimum=1)
# 行政处罚法第五十八条第一款第四项: categories of cases (casetrail.cases.models.Category values,
# comma-separated) whose decisions this agency has legally reviewed (法制审核) in every case.
CASETRAIL_LEGAL_REVIEW_CATEGORIES = envlist("CASETRAIL_LEGAL_REVIEW_CATEGORIES")
# 行政处罚法第四十五、六十四条: working days (第八十五条) after the 事先告知书 took effect during which
# the party may state, defend and ask for a hearing before a penalty decision is proposed.
CASETRAIL_ADVANCE_NOTICE_WORKDAYS = envint("CASETRAIL_ADVANCE_NOTICE_WORKDAYS", 5, minimum=1)
# The largest amount of money (yuan) any field accepts: a fine, an amount paid, a sum demanded.
CASETRAIL_MONEY_MAX = envint("CASETRAIL_MONEY_MAX", 10_000_000_000, minimum=1)
# Idempotency-Key on POST: how long a key is remembered, and how long a repeat arriving while the
# first request still runs (a double-click) waits for its answer.
CASETRAIL_IDEMPOTENCY_HOURS = envint("CASETRAIL_IDEMPOTENCY_HOURS", 24, minimum=1)
CASETRAIL_IDEMPOTENCY_WAIT_SECONDS = envint("CASETRAIL_IDEMPOTENCY_WAIT_SECONDS", 10, minimum=0)
# 行政处罚法第六十条 leaves the period to 法律、法规、部门规章: the days one approved extension of the
# 90-day decision period may add (the ministries' procedure rules allow 30 with the 负责人's approval).
CASETRAIL_DECISION_EXTENSION_DAYS = envint("CASETRAIL_DECISION_EXTENSION_DAYS", 30, minimum=1)
# How far ahead a deadline counts as "due" on the worklists.
CASETRAIL_DUE_SOON_HOURS = envint("CASETRAIL_DUE_SOON_HOURS", 72, minimum=1)

# --- evidence ---------------------------------------------------------------------------------
# Blobs (photos, audio, video) are content-addressed by SHA-256 in one storage: the local file system
# under var/blobs (default) or S3-compatible object storage (MinIO, Ceph RGW, cloud OSS).
CASETRAIL_STORAGE = envchoice("CASETRAIL_STORAGE", "file", ("file", "s3"))
CASETRAIL_BLOB_DIR = Path(envstr("CASETRAIL_BLOB_DIR", str(VAR_DIR / "blobs")))
# Partial tus uploads live here until complete; keep it on the same file system as the blobs so a
# finished upload is renamed into the store instead of copied.
CASETRAIL_UPLOAD_DIR = Path(envstr("CASETRAIL_UPLOAD_DIR", str(VAR_DIR / "uploads")))
CASETRAIL_UPLOAD_MAX_BYTES = envint(
    "CASETRAIL_UPLOAD_MAX_BYTES", 16 * 1024**3, minimum=1
)  # Tus-Max-Size
CASETRAIL_UPLOAD_EXPIRY_HOURS = envint("CASETRAIL_UPLOAD_EXPIRY_HOURS", 72, minimum=1)
# 第三十条: audio/video is to be in the system within this many hours of the recording's end.
CASETRAIL_AV_DEADLINE_HOURS = envint("CASETRAIL_AV_DEADLINE_HOURS", 24, minimum=1)
S3_BUCKET = envstr("S3_BUCKET", "casetrail")
S3_ENDPOINT_URL = envstr("S3_ENDPOINT_URL", "") or None
S3_REGION = envstr("S3_REGION", "us-east-1")
S3_ACCESS_KEY_ID = envstr("S3_ACCESS_KEY_ID", "") or None
S3_SECRET_ACCESS_KEY = envstr("S3_SECRET_ACCESS_KEY", "") or None
S3_PREFIX = envstr("S3_PREFIX", "blobs/")
# >0: each original gets S3 Object Lock retention (COMPLIANCE) for this many days, on buckets with
# Object Lock enabled; 0: rely on the bucket's default retention, if any.
S3_OBJECT_LOCK_DAYS = envint("S3_OBJECT_LOCK_DAYS", 0, minimum=0)
if CASETRAIL_STORAGE == "s3":
    _evidence_storage = {
        "BACKEND": "casetrail.evidence.storage.EvidenceS3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL,
            "region_name": S3_REGION,
            "access_key": S3_ACCESS_KEY_ID,
            "secret_key": S3_SECRET_ACCESS_KEY,
            "location": S3_PREFIX.strip("/"),
            "file_overwrite": True,
            "default_acl": None,
            "querystring_auth": False,
        },
    }
else:
    _evidence_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(CASETRAIL_BLOB_DIR), "file_permissions_mode": 0o444},
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "evidence": _evidence_storage,
}
# --- end evidence -----------------------------------------------------------------------------

# --- documents (文书: 第二十、三十六条) ---------------------------------------------------------
# The CJK face every 文书 is set in (fontconfig family, regular and bold; Debian fonts-noto-cjk).
CASETRAIL_DOCUMENT_FONT = envstr("CASETRAIL_DOCUMENT_FONT", "Noto Serif CJK SC")

# --- archive (立卷归档: 第三十、三十一条) --------------------------------------------------------
# The clamd the 四性检测 scans each file with (DA/T 70 安全性): a unix socket path or host:port;
# empty: no virus scan (the report says so).
CASETRAIL_CLAMD = envstr("CASETRAIL_CLAMD", "")
# The scheduled fixity cycle: every archived 案卷 and its package re-hashed once in this many days,
# the work spread evenly over them (a day reads about 1/N of the archive).
CASETRAIL_ARCHIVE_FIXITY_DAYS = envint("CASETRAIL_ARCHIVE_FIXITY_DAYS", 7, minimum=1)
# The agency's document-signing key and self-signed certificate (one pair per agency, 0600),
# created on first use unless 0; an HSM can replace the software key behind documents.seal.
CASETRAIL_SEAL_KEY_DIR = Path(envstr("CASETRAIL_SEAL_KEY_DIR", str(VAR_DIR / "keys")))
CASETRAIL_SEAL_KEY_AUTOCREATE = envbool("CASETRAIL_SEAL_KEY_AUTOCREATE", True)
# RFC 3161 timestamp in each seal's signature: the TSA here, else the ledger's (CASETRAIL_TSA_URL).
CASETRAIL_DOCUMENT_TSA_URL = envstr("CASETRAIL_DOCUMENT_TSA_URL", "")
# --- end documents ----------------------------------------------------------------------------

# --- access (调用单 and copy packages: 第三十二条) ----------------------------------------------
# Finished copy packages (zip of a BagIt bag) appear here only when complete (built beside, then
# renamed in). A download link is valid this many days and this many downloads unless the
# officer who makes it sets fewer.
CASETRAIL_COPY_DIR = Path(envstr("CASETRAIL_COPY_DIR", str(VAR_DIR / "copies")))
CASETRAIL_COPY_LINK_DAYS = envint("CASETRAIL_COPY_LINK_DAYS", 7, minimum=1)
CASETRAIL_COPY_LINK_USES = envint("CASETRAIL_COPY_LINK_USES", 3, minimum=1)
# --- end access --------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        # --- page (issue 17): the task worker logs a line as each task starts and ends; at the
        # default WARNING only failures reach the terminal (CASETRAIL_TASK_LOG_LEVEL=INFO for all).
        # A handler's level, because db_worker sets its loggers' own level from --verbosity.
        "tasks": {
            "class": "logging.StreamHandler",
            "level": envstr("CASETRAIL_TASK_LOG_LEVEL", "WARNING"),
        },
    },
    "loggers": {
        "django_tasks": {"handlers": ["tasks"], "propagate": False},
        "django_tasks_db": {"handlers": ["tasks"], "propagate": False},
        # django-axes reports every login at INFO; the ledger records them (org.login …) already.
        "axes": {"level": "WARNING"},
    },
    "root": {"handlers": ["console"], "level": envstr("CASETRAIL_LOG_LEVEL", "INFO")},
}
