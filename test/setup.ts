import nock from 'nock';

// Slack is never reached from tests; local fakes (127.0.0.1) are.
nock.disableNetConnect();
nock.enableNetConnect(/127\.0\.0\.1|localhost/);
