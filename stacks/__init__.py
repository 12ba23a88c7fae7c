"""Stack programs: they only wire components together and export what the next layer needs."""
