-- wrk script for contact form POSTs: every request a valid, distinct submission.
--
-- Usage (bench/posts.py does this): wrk -s bench/post.lua URL -- BODY_FILE
-- BODY_FILE holds one urlencoded form body in which __N__ stands for a per-request
-- number; the CSRF cookie, Origin and Content-Type come as -H headers.

dofile("bench/get.lua")

local template
local counter = 0
statuses = {}

function init(args)
   local file = assert(io.open(args[1], "r"))
   template = file:read("*a"):gsub("%s+$", "")
   file:close()
end

function request()
   counter = counter + 1
   local body = template:gsub("__N__", id .. "x" .. counter)
   return wrk.format("POST", nil, nil, body)
end

function response(status, headers, body)
   local key = tostring(status)
   statuses[key] = (statuses[key] or 0) + 1
end
