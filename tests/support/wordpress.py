"""A real WordPress for the tests: Debian's `wordpress` package copied to a temp dir, our own
wp-config.php on the throwaway MariaDB, the plugin and the FluentCRM stand-in symlinked in and
activated, served by `php -S` on loopback.

One site per test session, shared by every directory that registers the `wordpress` fixture
(tests/wordpress, tests/browser): the fixture is reference-counted, so two conftest files that
import it still get the same site, and the last one to finish stops it.

The plugin finds its sidecar either through options (`site.set_option(...)`, what the settings
screen saves) or through constants (`site.use_sidecar_constants(url, token)`, what wp-config.php
holds in production), written to a small file wp-config.php includes when it exists.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from tests.conftest import skip_or_fail

from .mariadb import MariaDBServer
from .net import free_port
from .processes import ManagedProcess
from .waiting import wait_until

DEBIAN_WORDPRESS = Path("/usr/share/wordpress")
REPO = Path(__file__).resolve().parents[2]
PLUGIN_SOURCE = REPO / "wp-plugin"
STANDIN_SOURCE = REPO / "tests" / "fluentcrm-standin"
PLUGIN_FILE = "fluentcrm-webhooks/fluentcrm-webhooks.php"
STANDIN_FILE = "fluentcrm-standin/fluentcrm-standin.php"
DATABASE = "wp_site"
TABLE_PREFIX = "wp_"
# A timezone far from UTC, so a payload that forgot to convert FluentCRM's site-local times shows.
SITE_TIMEZONE = "Asia/Kolkata"
STARTUP_DEADLINE = 60.0


def missing_tools() -> list[str]:
    """What this machine lacks to run the site (Debian: php-cli php-mysql php-curl wordpress)."""
    missing = []
    php = shutil.which("php")
    if php is None:
        missing.append("php (php-cli)")
    else:
        modules = subprocess.run([php, "-m"], capture_output=True, text=True, timeout=30).stdout.lower().split()
        missing += [f"php-{name}" for name in ("mysqli", "curl") if name not in modules]
    if not (DEBIAN_WORDPRESS / "wp-settings.php").exists():
        missing.append(f"wordpress ({DEBIAN_WORDPRESS})")
    return missing


@dataclass(frozen=True)
class User:
    login: str
    password: str
    app_password: str  # an Application Password, for Basic auth on the REST API

    @property
    def basic_auth(self) -> tuple[str, str]:
        return (self.login, self.app_password)


# The test site's plugins: folder name in wp-content/plugins -> source directory.
TEST_PLUGINS = {"fluentcrm-standin": STANDIN_SOURCE, "fluentcrm-webhooks": PLUGIN_SOURCE}


class WordPressSite:
    """The site: install once, start, call over HTTP or run PHP inside it.

    `plugins` (folder name -> source) are symlinked in and `activate` (plugin files) activated, in
    that order; the defaults are the FluentCRM stand-in and the plugin.
    """

    def __init__(self, base_dir: Path, mariadb: MariaDBServer, database: str = DATABASE,
                 plugins: dict[str, Path] | None = None, activate: list[str] | None = None) -> None:
        self.base_dir = base_dir
        self.root = base_dir / "wordpress"
        self.mariadb = mariadb
        self.database = database
        self.plugins = TEST_PLUGINS if plugins is None else plugins
        self.activate = [STANDIN_FILE, PLUGIN_FILE] if activate is None else activate
        self.port = 0
        self.server: ManagedProcess | None = None
        self.admin_user = "admin"
        self.admin_password = secrets.token_urlsafe(12)
        self.users: dict[str, User] = {}

    # -- addresses -------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rest_url(self, route: str) -> str:
        """`route` like `/fluent-crm/v2/webhooks`."""
        return f"{self.url}/wp-json{route}"

    @property
    def database_url(self) -> str:
        """The site's database, as the sidecar's FCWH_DATABASE_URL (tables share the wp_ prefix)."""
        return self.mariadb.url(self.database)

    @property
    def admin(self) -> User:
        return self.users["admin"]

    @property
    def debug_log(self) -> Path:
        return self.root / "wp-content" / "debug.log"

    # -- install ---------------------------------------------------------------------------------
    def install(self) -> None:
        self.mariadb.create_database(self.database)
        subprocess.run(["cp", "-rL", str(DEBIAN_WORDPRESS), str(self.root)], check=True, timeout=300)
        for folder, source in self.plugins.items():
            (self.root / "wp-content" / "plugins" / folder).symlink_to(source, target_is_directory=True)
        (self.base_dir / "router.php").write_text(ROUTER)
        self.port = free_port()
        self._write_config()
        self.php(INSTALL_CODE.format(password=json.dumps(self.admin_password), timezone=json.dumps(SITE_TIMEZONE)),
                 installing=True)
        made = json.loads(self.php(SETUP_CODE.format(plugins=json.dumps(self.activate))))
        self.users = {name: User(**user) for name, user in made.items()}
        self.admin_password = self.users["admin"].password

    def _write_config(self) -> None:
        keys = "\n".join(f"define('{name}', '{secrets.token_hex(32)}');" for name in (
            "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
            "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"))
        # Debian's wp-config.php reads /etc/wordpress/config-<host>.php: replaced by ours entirely.
        (self.root / "wp-config.php").write_text(WP_CONFIG.format(
            db_name=self.database, db_host=f"127.0.0.1:{self.mariadb.port}", prefix=TABLE_PREFIX,
            url=self.url, keys=keys))

    # -- run -------------------------------------------------------------------------------------
    def start(self, attempts: int = 3) -> "WordPressSite":
        for _ in range(attempts):
            env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
            self.server = ManagedProcess(
                # revalidate_freq=0: a rewritten fcwh-constants.php takes effect on the next request.
                ["php", "-d", "opcache.enable_cli=1", "-d", "opcache.revalidate_freq=0", "-d", "display_errors=stderr", "-S",
                 f"127.0.0.1:{self.port}", "-t", str(self.root), str(self.base_dir / "router.php")],
                cwd=self.base_dir, env=env, log_path=self.base_dir / "php-server.log")
            self.server.start()
            if self._wait_ready():
                return self
            if "Address already in use" in self.server.log_text():
                self.port = free_port()  # lost the port between choosing and binding
                self._write_config()
                continue
            break
        raise RuntimeError(f"php -S did not serve WordPress; its log:\n{self.server.log_tail()}")

    def _wait_ready(self) -> bool:
        def ready() -> bool:
            if not self.server.running:
                return True
            try:
                return requests.get(self.rest_url("/"), timeout=5).status_code == 200
            except requests.RequestException:
                return False

        wait_until(ready, timeout=STARTUP_DEADLINE, interval=0.2, message="WordPress to answer /wp-json/")
        return self.server.running

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()

    # -- PHP inside WordPress --------------------------------------------------------------------
    def php(self, code: str, installing: bool = False, timeout: float = 120) -> str:
        """Run PHP `code` with WordPress loaded (as WP-CLI would) and return what it printed."""
        prelude = PHP_PRELUDE.format(host=f"127.0.0.1:{self.port}", installing="true" if installing else "false",
                                     root=json.dumps(str(self.root)))
        result = subprocess.run(["php", "-d", "display_errors=stderr"], input=prelude + code,
                                capture_output=True, text=True, timeout=timeout, cwd=self.root)
        if result.returncode != 0:
            raise AssertionError(f"PHP failed ({result.returncode}):\n{code}\n--- stdout ---\n{result.stdout}"
                                 f"\n--- stderr ---\n{result.stderr[-4000:]}")
        return result.stdout

    def wp_cli_php(self, code: str) -> str:
        """The brief's name for php(): PHP inside WordPress, as `wp eval` would run it."""
        return self.php(code)

    def php_json(self, expression: str) -> Any:
        """The value of a PHP expression, through JSON."""
        return json.loads(self.php(f"echo wp_json_encode({expression});"))

    def set_option(self, name: str, value: Any) -> None:
        self.php(f"update_option({json.dumps(name)}, json_decode({json.dumps(json.dumps(value))}, true));")

    def get_option(self, name: str) -> Any:
        return self.php_json(f"get_option({json.dumps(name)}, null)")

    def delete_option(self, name: str) -> None:
        self.php(f"delete_option({json.dumps(name)});")

    def use_sidecar_constants(self, sidecar_url: str, token: str) -> None:
        """Define FCWH_SIDECAR_URL / FCWH_API_TOKEN as a site owner does in wp-config.php."""
        (self.root / "fcwh-constants.php").write_text(
            f"<?php\ndefine('FCWH_SIDECAR_URL', {json.dumps(sidecar_url)});\n"
            f"define('FCWH_API_TOKEN', {json.dumps(token)});\n")

    def drop_sidecar_constants(self) -> None:
        (self.root / "fcwh-constants.php").unlink(missing_ok=True)

    # -- HTTP ------------------------------------------------------------------------------------
    def session(self, user: str | None = "admin") -> requests.Session:
        """A session authenticated with the user's Application Password (None: anonymous)."""
        session = requests.Session()
        if user is not None:
            session.auth = self.users[user].basic_auth
        return session

    def cookie_session(self, user: str = "admin") -> requests.Session:
        """A session logged in through wp-login.php, sending the REST nonce like wp-admin's screens."""
        session = requests.Session()
        session.cookies.set("wordpress_test_cookie", "WP Cookie check")
        answer = session.post(f"{self.url}/wp-login.php", data={
            "log": self.users[user].login, "pwd": self.users[user].password, "wp-submit": "Log In",
            "testcookie": "1", "redirect_to": f"{self.url}/wp-admin/"}, allow_redirects=False, timeout=30)
        assert answer.status_code == 302, f"login failed: {answer.status_code} {answer.text[:500]}"
        nonce = session.get(f"{self.url}/wp-admin/admin-ajax.php", params={"action": "rest-nonce"}, timeout=30)
        assert nonce.status_code == 200 and nonce.text.strip(), f"no REST nonce: {nonce.status_code} {nonce.text[:200]}"
        session.headers["X-WP-Nonce"] = nonce.text.strip()
        return session

    def sql(self, query: str, args: Any = None) -> tuple:
        """One statement on the site's database (tables are `wp_...`)."""
        return self.mariadb.sql(query, args, database=self.database)

    def plugin_errors(self) -> list[str]:
        """PHP errors, warnings and notices in the debug log raised from the plugin's own files."""
        if not self.debug_log.exists():
            return []
        return [line for line in self.debug_log.read_text(errors="replace").splitlines()
                if "/wp-plugin/" in line or "/plugins/fluentcrm-webhooks/" in line or "FluentCRM Webhooks" in line]


# -- one shared site per session ------------------------------------------------------------------
_lock = threading.Lock()
_shared: dict[str, Any] = {"site": None, "users": 0}


def acquire_site(tmp_path_factory: pytest.TempPathFactory, mariadb: MariaDBServer) -> WordPressSite:
    with _lock:
        if _shared["site"] is None:
            site = WordPressSite(tmp_path_factory.mktemp("wordpress"), mariadb)
            site.install()
            site.start()
            _shared["site"] = site
        _shared["users"] += 1
        return _shared["site"]


def release_site() -> None:
    with _lock:
        _shared["users"] -= 1
        if _shared["users"] == 0 and _shared["site"] is not None:
            _shared["site"].stop()
            _shared["site"] = None


@pytest.fixture(scope="session")
def wordpress(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[WordPressSite]:
    """The WordPress site, with the plugin and the FluentCRM stand-in active (see module doc)."""
    missing = missing_tools()
    if missing:
        skip_or_fail(f"the WordPress tests need: {', '.join(missing)} (scripts/install-system-deps.sh)")
    site = acquire_site(tmp_path_factory, request.getfixturevalue("mariadb_server"))
    try:
        yield site
    finally:
        release_site()


# -- files and scripts ------------------------------------------------------------------------------
WP_CONFIG = """<?php
// Written by tests/support/wordpress.py (Debian's host-based config lookup is not used).
define('DB_NAME', '{db_name}');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', '{db_host}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
$table_prefix = '{prefix}';
{keys}
define('WP_HOME', '{url}');
define('WP_SITEURL', '{url}');
define('WP_ENVIRONMENT_TYPE', 'local'); // Application Passwords over plain HTTP
define('WP_DEBUG', true);
define('WP_DEBUG_LOG', __DIR__ . '/wp-content/debug.log');
define('WP_DEBUG_DISPLAY', false);
define('DISABLE_WP_CRON', true); // tests run cron on purpose, never as a side effect
define('WP_HTTP_BLOCK_EXTERNAL', true); // no internet here: no update checks to wait for
define('WP_ACCESSIBLE_HOSTS', '127.0.0.1,localhost');
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('FS_METHOD', 'direct');
if (file_exists(__DIR__ . '/fcwh-constants.php')) {{
    require __DIR__ . '/fcwh-constants.php';
}}
if (!defined('ABSPATH')) {{
    define('ABSPATH', __DIR__ . '/');
}}
require_once ABSPATH . 'wp-settings.php';
"""

# Pretty permalinks for `php -S`: real files are served (PHP ones executed), the rest is WordPress.
ROUTER = """<?php
$root = $_SERVER['DOCUMENT_ROOT'];
$path = urldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH));
if ($path !== '/' && file_exists($root . $path)) {
    if (is_file($root . $path) || file_exists(rtrim($root . $path, '/') . '/index.php')) {
        return false;
    }
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $root . '/index.php';
require $root . '/index.php';
"""

PHP_PRELUDE = """<?php
$_SERVER['HTTP_HOST'] = '{host}';
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['SERVER_PORT'] = '80';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
if ({installing}) {{
    define('WP_INSTALLING', true);
}}
require {root} . '/wp-load.php';
"""

INSTALL_CODE = """
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
$installed = wp_install('FluentCRM Webhooks test site', 'admin', 'admin@example.com', false, '', {password});
if (is_wp_error($installed)) {{ fwrite(STDERR, $installed->get_error_message()); exit(1); }}
update_option('permalink_structure', '/%postname%/');
update_option('timezone_string', {timezone});
"""

SETUP_CODE = """
require_once ABSPATH . 'wp-admin/includes/plugin.php';
require_once ABSPATH . 'wp-admin/includes/user.php';
foreach ({plugins} as $plugin) {{
    $activated = activate_plugin($plugin);
    if (is_wp_error($activated)) {{ fwrite(STDERR, $plugin . ': ' . $activated->get_error_message()); exit(1); }}
}}
flush_rewrite_rules();
// A role FluentCRM would grant its settings permission to, without being an administrator.
add_role('crm_manager', 'CRM manager', array('read' => true, 'fcrm_manage_settings' => true, 'fcrm_manage_contacts' => true));
$users = array();
foreach (array('admin' => 'administrator', 'subscriber' => 'subscriber', 'manager' => 'crm_manager') as $login => $role) {{
    $user = get_user_by('login', $login);
    $password = wp_generate_password(16, false);
    if ($user) {{
        wp_set_password($password, $user->ID);
    }} else {{
        $user = get_user_by('id', wp_insert_user(array('user_login' => $login, 'user_pass' => $password,
            'user_email' => $login . '@example.com', 'role' => $role)));
    }}
    list($app_password) = WP_Application_Passwords::create_new_application_password($user->ID, array('name' => 'tests'));
    $users[$login] = array('login' => $login, 'password' => $password, 'app_password' => $app_password);
}}
echo wp_json_encode($users);
"""
