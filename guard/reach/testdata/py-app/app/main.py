import os, sys
from requests.adapters import HTTPAdapter  # from-import of a submodule
import yaml as y
from . import util
from app import util as u2
import importlib
helper = importlib.import_module("django_helper")
