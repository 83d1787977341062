"""Settings: sources, and the refusal to run production on the demo master key."""

import base64
import warnings

import pytest

from conftest import random_master_key
from zhengzhao.api.app import create_app
from zhengzhao.config import UNSAFE_DEMO_MASTER_KEY, UnsafeDemoKeyWarning, load_settings
from zhengzhao.errors import ConfigurationError
from zhengzhao.node import Node


def test_production_mode_refuses_the_demo_master_key(database_url):
    node = Node(load_settings(database_url=database_url))
    with pytest.raises(ConfigurationError, match="refusing to run in production mode"):
        create_app(node)


def test_development_mode_uses_demo_key_with_a_warning(database_url):
    settings = load_settings(mode="development", database_url=database_url)
    with pytest.warns(UnsafeDemoKeyWarning, match="UNSAFE demo master key"):
        settings.master_keys  # noqa: B018


def test_master_key_of_wrong_length_is_refused():
    settings = load_settings(master_key="c2hvcnQ")
    with pytest.raises(ConfigurationError, match="must be 32 bytes"):
        settings.master_keys  # noqa: B018


def test_toml_file_is_read_and_environment_overrides_it(tmp_path, monkeypatch):
    path = tmp_path / "node.toml"
    path.write_text('mode = "development"\nnode_name = "from-file"\nport = 9000\n')
    monkeypatch.setenv("ZHENGZHAO_PORT", "9100")
    settings = load_settings(path)
    assert (settings.mode, settings.node_name, settings.port) == (
        "development",
        "from-file",
        9100,
    )


def test_missing_config_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


def test_unknown_setting_is_refused(tmp_path):
    path = tmp_path / "node.toml"
    path.write_text('colour = "red"\n')
    with pytest.raises(ConfigurationError, match="invalid settings: colour"):
        load_settings(path)


def test_derived_keys_differ_per_purpose(settings):
    keys = settings.master_keys
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        derived = {
            keys.key_encryption,
            keys.holder_encryption,
            keys.blind_index,
            keys.node_secret,
        }
    assert len(derived) == 4


@pytest.mark.parametrize(
    "spelling",
    [
        UNSAFE_DEMO_MASTER_KEY.rstrip("="),  # without its padding
        f" {UNSAFE_DEMO_MASTER_KEY}",
        f"{UNSAFE_DEMO_MASTER_KEY}\n",
        f"{UNSAFE_DEMO_MASTER_KEY}==",
        f"{UNSAFE_DEMO_MASTER_KEY[:20]} {UNSAFE_DEMO_MASTER_KEY[20:]}",
    ],
)
def test_production_mode_refuses_the_demo_master_key_however_written(
    database_url, spelling
):
    node = Node(load_settings(database_url=database_url, master_key=spelling))
    with pytest.raises(ConfigurationError, match="refusing to run in production mode"):
        create_app(node)


def test_master_key_in_the_standard_alphabet_is_the_same_key():
    standard = base64.b64encode(bytes([0xFB] * 32)).decode()
    url_safe = base64.urlsafe_b64encode(bytes([0xFB] * 32)).decode()
    assert standard != url_safe
    assert (
        load_settings(master_key=standard).master_keys.key_encryption
        == load_settings(master_key=url_safe).master_keys.key_encryption
    )


def test_master_key_with_a_character_of_no_base64_alphabet_is_refused():
    settings = load_settings(master_key=random_master_key()[:-1] + "!")
    with pytest.raises(ConfigurationError) as raised:
        settings.master_keys  # noqa: B018
    assert raised.value.message == (
        "the master key is not valid base64url; generate one with"
        " `zhengzhao keys master`"
    )
