-- A trigram index over the searchable text of the change log, so a free-text search (part of
-- an e-mail, a request-id) does not scan every row. It only indexes: the hash chain lives in
-- change_log alone.
CREATE VIRTUAL TABLE change_search USING fts5(
    target, actor, detail, error_code, request_id,
    content = 'change_log', content_rowid = 'seq', tokenize = 'trigram'
);
INSERT INTO change_search (change_search) VALUES ('rebuild');
CREATE TRIGGER change_log_indexed AFTER INSERT ON change_log BEGIN
    INSERT INTO change_search (rowid, target, actor, detail, error_code, request_id)
    VALUES (new.seq, new.target, new.actor, new.detail, new.error_code, new.request_id);
END;
