var fetch;
