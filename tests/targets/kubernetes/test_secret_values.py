"""A secret never reaches the manifest, whatever YAML does to its text (issue 25): the check
looks at the data of every document (every env value, every argument), not at the dumped text,
where a PEM key is folded into a block, a value with ': ' or a quote is quoted and escaped."""

from __future__ import annotations

import pytest

PEM = ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n"
       "VJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n"
       "-----END PRIVATE KEY-----\n")

VALUES = {
    "pem": PEM,
    "colon-space": "user: o'brien-7f3k2",  # single-quoted: the quote is doubled
    "double-quote": 'pa"ss: word-91x',
    "control-char": "bell\x07-secret-81",  # double-quoted: escaped
    "backslash-tab": "tab\there\\and-back-42",
    "leading-space": "  spaced-secret-77",
}


@pytest.mark.parametrize("kind", sorted(VALUES))
def test_a_secret_is_refused_in_an_env_value_whatever_yaml_does_to_it(kube, kjob_yaml, kind):
    kube.write(kjob_yaml("leak", extra="env:\n  API_TOKEN: ${API_TOKEN}"))
    code, out, err = kube.run("generate", env={"API_TOKEN": VALUES[kind]})
    assert code == 2, (out, err)
    assert "job 'leak' would write a secret value" in err
    assert not kube.manifest.exists()


@pytest.mark.parametrize("kind", ["pem", "colon-space", "double-quote"])
def test_a_secret_is_refused_in_an_argument_too(kube, kjob_yaml, kind):
    kube.write(kjob_yaml("leak", extra='args: ["--token", "${API_TOKEN}"]'))
    code, out, err = kube.run("generate", env={"API_TOKEN": VALUES[kind]})
    assert code == 2, (out, err)
    assert "job 'leak' would write a secret value" in err
    assert not kube.manifest.exists()


def test_the_refusal_covers_every_document_not_only_the_first(kube, kjob_yaml):
    kube.write(kjob_yaml("fine") + kjob_yaml("leak", extra="env:\n  API_TOKEN: ${API_TOKEN}"))
    code, out, err = kube.run("generate", env={"API_TOKEN": VALUES["colon-space"]})
    assert code == 2, (out, err)
    assert "job 'leak' would write a secret value" in err
    assert not kube.manifest.exists()


def test_a_plain_value_with_yaml_specials_is_still_written(kube, kjob_yaml):
    kube.write(kjob_yaml("ok", extra='env:\n  GREETING: "hello: world"'))
    code, out, err = kube.run("generate")
    assert code == 0, err
    env = kube.cronjob("ok")["spec"]["jobTemplate"]["spec"]["template"]["spec"][
        "containers"][0]["env"]
    assert env == [{"name": "GREETING", "value": "hello: world"}]
