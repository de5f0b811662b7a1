// A job module that throws as it is imported: the server threads that load it fail at start.
throw new Error("this job module throws as it loads");
