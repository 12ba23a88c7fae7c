from hlz.cli import entry

entry()
