"""Where the tests find the real llama2.c models and their reference outputs: the directory
$SHARED_MODELS (the make variable of the same name), by default ../shared/models beside the
repository. A file that is not there is an AssertionError naming the path and the variable, so
a test fails saying what is missing rather than with a bare FileNotFoundError."""
import json
import os

from fluid import ROOT

DIR = os.path.abspath(os.environ.get("SHARED_MODELS", os.path.join(ROOT, "..", "shared",
                                                                   "models")))


def path(name):
    """The path of model file `name`; AssertionError if it is missing."""
    p = os.path.join(DIR, name)
    if not os.path.isfile(p):
        raise AssertionError(f"shared models missing: {p} not found (set SHARED_MODELS)")
    return p


def reference():
    """reference.json: the reference generations and logits the inference tests compare to."""
    with open(path("reference.json")) as f:
        return json.load(f)
