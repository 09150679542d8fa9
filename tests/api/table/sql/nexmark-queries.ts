// The Nexmark queries q0-q22 in Flink SQL, written from the query descriptions of the project's
// Nexmark notes (section 3), with the DDL they run on: one unified `nexmark` source table of
// nested rows with a computed `dateTime` and its watermark, the person/auction/bid views, and a
// sink table per query. The parser's corpus; later the planner's.

/** The source table and the three views every query reads. */
export const NEXMARK_DDL = `
-- One stream of events; event_type says which of the three rows is set.
CREATE TABLE nexmark (
  event_type INT,
  person ROW<
    id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR, city VARCHAR,
    state VARCHAR, \`dateTime\` TIMESTAMP(3), extra VARCHAR>,
  auction ROW<
    id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT,
    \`dateTime\` TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra VARCHAR>,
  bid ROW<
    auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR,
    \`dateTime\` TIMESTAMP(3), extra VARCHAR>,
  \`dateTime\` AS CASE
    WHEN event_type = 0 THEN person.\`dateTime\`
    WHEN event_type = 1 THEN auction.\`dateTime\`
    ELSE bid.\`dateTime\`
  END,
  WATERMARK FOR \`dateTime\` AS \`dateTime\` - INTERVAL '4' SECOND
) WITH (
  'connector' = 'nexmark',
  'first-event.rate' = '10000000',
  'next-event.rate' = '10000000',
  'events.num' = '100000000'
);

CREATE VIEW person AS
SELECT person.id, person.name, person.emailAddress, person.creditCard, person.city, person.state,
       \`dateTime\`, person.extra
FROM nexmark WHERE event_type = 0;

CREATE VIEW auction AS
SELECT auction.id, auction.itemName, auction.description, auction.initialBid, auction.reserve,
       \`dateTime\`, auction.expires, auction.seller, auction.category, auction.extra
FROM nexmark WHERE event_type = 1;

CREATE VIEW bid AS
SELECT bid.auction, bid.bidder, bid.price, bid.channel, bid.url, \`dateTime\`, bid.extra
FROM nexmark WHERE event_type = 2;
`;

const blackhole = (name: string, columns: string) => `CREATE TABLE ${name} (${columns}) WITH ('connector' = 'blackhole');`;
const BID_COLUMNS = 'auction BIGINT, bidder BIGINT, price BIGINT, `dateTime` TIMESTAMP(3), extra VARCHAR';
const FULL_BID_COLUMNS = 'auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, `dateTime` TIMESTAMP(3), extra VARCHAR';
const RANK_COUNTS = `
  count(*) FILTER (WHERE price < 10000) AS rank1_bids,
  count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
  count(*) FILTER (WHERE price >= 1000000) AS rank3_bids`;
const DISTINCT_COUNTS = `
  count(DISTINCT bidder) AS total_bidders,
  count(DISTINCT bidder) FILTER (WHERE price < 10000) AS rank1_bidders,
  count(DISTINCT bidder) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bidders,
  count(DISTINCT bidder) FILTER (WHERE price >= 1000000) AS rank3_bidders,
  count(DISTINCT auction) AS total_auctions,
  count(DISTINCT auction) FILTER (WHERE price < 10000) AS rank1_auctions,
  count(DISTINCT auction) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_auctions,
  count(DISTINCT auction) FILTER (WHERE price >= 1000000) AS rank3_auctions`;
const STATS_COLUMNS = 'total_bids BIGINT, rank1_bids BIGINT, rank2_bids BIGINT, rank3_bids BIGINT, '
  + 'total_bidders BIGINT, rank1_bidders BIGINT, rank2_bidders BIGINT, rank3_bidders BIGINT, '
  + 'total_auctions BIGINT, rank1_auctions BIGINT, rank2_auctions BIGINT, rank3_auctions BIGINT';
/** The auction-bid join of q4, q6 and q9: bids inside the auction's lifetime. */
const AUCTION_BID_JOIN = 'auction AS A, bid AS B WHERE A.id = B.auction AND B.`dateTime` BETWEEN A.`dateTime` AND A.expires';

/** Each query: its sink DDL (and helper DDL) then its INSERT, as one script. */
export const NEXMARK_QUERIES: Readonly<Record<string, string>> = {
  q0: `${blackhole('q0_sink', BID_COLUMNS)}
INSERT INTO q0_sink SELECT auction, bidder, price, \`dateTime\`, extra FROM bid;`,

  q1: `${blackhole('q1_sink', 'auction BIGINT, bidder BIGINT, price DECIMAL(23, 3), `dateTime` TIMESTAMP(3), extra VARCHAR')}
INSERT INTO q1_sink
SELECT auction, bidder, 0.908 * price AS price, \`dateTime\`, extra -- dollars to euros
FROM bid;`,

  q2: `${blackhole('q2_sink', 'auction BIGINT, price BIGINT')}
INSERT INTO q2_sink SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0;`,

  q3: `${blackhole('q3_sink', 'name VARCHAR, city VARCHAR, state VARCHAR, id BIGINT')}
INSERT INTO q3_sink
SELECT P.name, P.city, P.state, A.id
FROM auction AS A INNER JOIN person AS P ON A.seller = P.id
WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA');`,

  q4: `${blackhole('q4_sink', 'category BIGINT, avg_final BIGINT')}
INSERT INTO q4_sink
SELECT Q.category, AVG(Q.final_price)
FROM (
  SELECT MAX(B.price) AS final_price, A.category
  FROM ${AUCTION_BID_JOIN}
  GROUP BY A.id, A.category
) Q
GROUP BY Q.category;`,

  q5: `${blackhole('q5_sink', 'auction BIGINT, num BIGINT')}
INSERT INTO q5_sink
SELECT AuctionBids.auction, AuctionBids.num
FROM (
  SELECT auction, count(*) AS num, window_start AS starttime, window_end AS endtime
  FROM TABLE(HOP(TABLE bid, DESCRIPTOR(\`dateTime\`), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
  GROUP BY auction, window_start, window_end
) AS AuctionBids
JOIN (
  SELECT max(CountBids.num) AS maxn, CountBids.starttime, CountBids.endtime
  FROM (
    SELECT count(*) AS num, window_start AS starttime, window_end AS endtime
    FROM TABLE(HOP(TABLE bid, DESCRIPTOR(\`dateTime\`), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
    GROUP BY auction, window_start, window_end
  ) AS CountBids
  GROUP BY CountBids.starttime, CountBids.endtime
) AS MaxBids
ON AuctionBids.starttime = MaxBids.starttime
  AND AuctionBids.endtime = MaxBids.endtime
  AND AuctionBids.num >= MaxBids.maxn;`,

  q6: `${blackhole('q6_sink', 'seller BIGINT, avg_price BIGINT')}
INSERT INTO q6_sink
SELECT Q.seller,
       AVG(Q.price) OVER (PARTITION BY Q.seller ORDER BY Q.\`dateTime\` ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY id, seller ORDER BY price DESC) AS rownum
  FROM (SELECT A.id, A.seller, B.price, B.\`dateTime\` FROM ${AUCTION_BID_JOIN})
)
AS Q
WHERE Q.rownum <= 1;`,

  q7: `${blackhole('q7_sink', BID_COLUMNS)}
INSERT INTO q7_sink
SELECT B.auction, B.price, B.bidder, B.\`dateTime\`, B.extra
FROM bid B
JOIN (
  SELECT MAX(price) AS maxprice, window_end AS \`dateTime\`
  FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(\`dateTime\`), INTERVAL '10' SECOND))
  GROUP BY window_start, window_end
) B1
ON B.price = B1.maxprice
WHERE B.\`dateTime\` BETWEEN B1.\`dateTime\` - INTERVAL '10' SECOND AND B1.\`dateTime\`;`,

  q8: `${blackhole('q8_sink', 'id BIGINT, name VARCHAR, stime TIMESTAMP(3)')}
INSERT INTO q8_sink
SELECT P.id, P.name, P.starttime
FROM (
  SELECT id, name, window_start AS starttime, window_end AS endtime
  FROM TABLE(TUMBLE(TABLE person, DESCRIPTOR(\`dateTime\`), INTERVAL '10' SECOND))
  GROUP BY id, name, window_start, window_end
) P
JOIN (
  SELECT seller, window_start AS starttime, window_end AS endtime
  FROM TABLE(TUMBLE(TABLE auction, DESCRIPTOR(\`dateTime\`), INTERVAL '10' SECOND))
  GROUP BY seller, window_start, window_end
) A
ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime;`,

  q9: `${blackhole('q9_sink', 'id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT, '
    + '`dateTime` TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra VARCHAR, '
    + 'auction BIGINT, bidder BIGINT, price BIGINT, bid_dateTime TIMESTAMP(3), bid_extra VARCHAR')}
INSERT INTO q9_sink
SELECT id, itemName, description, initialBid, reserve, \`dateTime\`, expires, seller, category, extra,
       auction, bidder, price, bid_dateTime, bid_extra
FROM (
  SELECT A.*, B.auction, B.bidder, B.price, B.\`dateTime\` AS bid_dateTime, B.extra AS bid_extra,
         ROW_NUMBER() OVER (PARTITION BY A.id ORDER BY B.price DESC, B.\`dateTime\` ASC) AS rownum
  FROM ${AUCTION_BID_JOIN}
)
WHERE rownum <= 1;`,

  q10: `CREATE TABLE q10_sink (
  ${BID_COLUMNS},
  dt STRING,
  hm STRING
) PARTITIONED BY (dt, hm) WITH (
  'connector' = 'filesystem',
  'path' = 'file:///tmp/nexmark/q10',
  'format' = 'csv',
  'sink.partition-commit.trigger' = 'partition-time',
  'sink.partition-commit.delay' = '1 min',
  'sink.partition-commit.policy.kind' = 'success-file',
  'partition.time-extractor.timestamp-pattern' = '$dt $hm:00',
  'sink.rolling-policy.rollover-interval' = '1min'
);
INSERT INTO q10_sink
SELECT auction, bidder, price, \`dateTime\`, extra,
       DATE_FORMAT(\`dateTime\`, 'yyyy-MM-dd'), DATE_FORMAT(\`dateTime\`, 'HH:mm')
FROM bid;`,

  q11: `${blackhole('q11_sink', 'bidder BIGINT, bid_count BIGINT, starttime TIMESTAMP(3), endtime TIMESTAMP(3)')}
INSERT INTO q11_sink
SELECT B.bidder, count(*) AS bid_count,
       SESSION_START(B.\`dateTime\`, INTERVAL '10' SECOND) AS starttime,
       SESSION_END(B.\`dateTime\`, INTERVAL '10' SECOND) AS endtime
FROM bid B
GROUP BY B.bidder, SESSION(B.\`dateTime\`, INTERVAL '10' SECOND);`,

  q12: `${blackhole('q12_sink', 'bidder BIGINT, bid_count BIGINT, starttime TIMESTAMP(3), endtime TIMESTAMP(3)')}
CREATE VIEW B AS SELECT *, PROCTIME() AS p_time FROM bid;
INSERT INTO q12_sink
SELECT bidder, count(*) AS bid_count, window_start AS starttime, window_end AS endtime
FROM TABLE(TUMBLE(TABLE B, DESCRIPTOR(p_time), INTERVAL '10' SECOND))
GROUP BY bidder, window_start, window_end;`,

  q13: `CREATE TABLE side_input (
  key BIGINT,
  \`value\` VARCHAR
) WITH (
  'connector' = 'filesystem',
  'path' = 'file:///tmp/nexmark/side_input.txt',
  'format' = 'csv'
);
${blackhole('q13_sink', 'auction BIGINT, bidder BIGINT, price BIGINT, `dateTime` TIMESTAMP(3), `value` VARCHAR')}
INSERT INTO q13_sink
SELECT B.auction, B.bidder, B.price, B.\`dateTime\`, S.\`value\`
FROM (SELECT *, PROCTIME() AS p_time FROM bid) B
JOIN side_input FOR SYSTEM_TIME AS OF B.p_time AS S
ON mod(B.auction, 10000) = S.key;`,

  q14: `CREATE FUNCTION count_char AS 'org.example.nexmark.CountChar';
${blackhole('q14_sink', 'auction BIGINT, bidder BIGINT, price DECIMAL(23, 3), bidTimeType VARCHAR, '
    + '`dateTime` TIMESTAMP(3), extra VARCHAR, c_counts BIGINT')}
INSERT INTO q14_sink
SELECT auction, bidder, 0.908 * price AS price,
  CASE
    WHEN HOUR(\`dateTime\`) >= 8 AND HOUR(\`dateTime\`) <= 18 THEN 'dayTime'
    WHEN HOUR(\`dateTime\`) <= 6 OR HOUR(\`dateTime\`) >= 20 THEN 'nightTime'
    ELSE 'otherTime'
  END AS bidTimeType,
  \`dateTime\`, extra, count_char(extra, 'c') AS c_counts
FROM bid
WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000;`,

  q15: `${blackhole('q15_sink', `\`day\` VARCHAR, ${STATS_COLUMNS}`)}
INSERT INTO q15_sink
SELECT DATE_FORMAT(\`dateTime\`, 'yyyy-MM-dd') AS \`day\`,
  count(*) AS total_bids,${RANK_COUNTS},${DISTINCT_COUNTS}
FROM bid
GROUP BY DATE_FORMAT(\`dateTime\`, 'yyyy-MM-dd');`,

  q16: `${blackhole('q16_sink', `channel VARCHAR, \`day\` VARCHAR, \`minute\` VARCHAR, ${STATS_COLUMNS}`)}
INSERT INTO q16_sink
SELECT channel, DATE_FORMAT(\`dateTime\`, 'yyyy-MM-dd') AS \`day\`,
  max(DATE_FORMAT(\`dateTime\`, 'HH:mm')) AS \`minute\`,
  count(*) AS total_bids,${RANK_COUNTS},${DISTINCT_COUNTS}
FROM bid
GROUP BY channel, DATE_FORMAT(\`dateTime\`, 'yyyy-MM-dd');`,

  q17: `${blackhole('q17_sink', 'auction BIGINT, `day` VARCHAR, total_bids BIGINT, rank1_bids BIGINT, rank2_bids BIGINT, '
    + 'rank3_bids BIGINT, min_price BIGINT, max_price BIGINT, avg_price BIGINT, sum_price BIGINT')}
INSERT INTO q17_sink
SELECT auction, DATE_FORMAT(\`dateTime\`, 'yyyy-MM-dd') AS \`day\`,
  count(*) AS total_bids,${RANK_COUNTS},
  min(price) AS min_price, max(price) AS max_price, avg(price) AS avg_price, sum(price) AS sum_price
FROM bid
GROUP BY auction, DATE_FORMAT(\`dateTime\`, 'yyyy-MM-dd');`,

  q18: `${blackhole('q18_sink', FULL_BID_COLUMNS)}
INSERT INTO q18_sink
SELECT auction, bidder, price, channel, url, \`dateTime\`, extra
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY \`dateTime\` DESC) AS rank_number
  FROM bid
)
WHERE rank_number <= 1;`,

  q19: `${blackhole('q19_sink', `${FULL_BID_COLUMNS}, rank_number BIGINT`)}
INSERT INTO q19_sink
SELECT * FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rank_number FROM bid
)
WHERE rank_number <= 10;`,

  q20: `${blackhole('q20_sink', 'auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, '
    + 'bid_dateTime TIMESTAMP(3), bid_extra VARCHAR, itemName VARCHAR, description VARCHAR, initialBid BIGINT, '
    + 'reserve BIGINT, auction_dateTime TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, auction_extra VARCHAR')}
INSERT INTO q20_sink
SELECT auction, bidder, price, channel, url, B.\`dateTime\`, B.extra,
       itemName, description, initialBid, reserve, A.\`dateTime\`, expires, seller, category, A.extra
FROM bid AS B INNER JOIN auction AS A ON B.auction = A.id
WHERE A.category = 10;`,

  q21: `${blackhole('q21_sink', 'auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, channel_id VARCHAR')}
INSERT INTO q21_sink
SELECT auction, bidder, price, channel,
  CASE
    WHEN lower(channel) = 'apple' THEN '0'
    WHEN lower(channel) = 'google' THEN '1'
    WHEN lower(channel) = 'facebook' THEN '2'
    WHEN lower(channel) = 'baidu' THEN '3'
    ELSE REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2)
  END AS channel_id
FROM bid
WHERE REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2) IS NOT NULL
   OR lower(channel) IN ('apple', 'google', 'facebook', 'baidu');`,

  q22: `${blackhole('q22_sink', 'auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, dir1 VARCHAR, dir2 VARCHAR, dir3 VARCHAR')}
INSERT INTO q22_sink
SELECT auction, bidder, price, channel,
  SPLIT_INDEX(url, '/', 3) AS dir1,
  SPLIT_INDEX(url, '/', 4) AS dir2,
  SPLIT_INDEX(url, '/', 5) AS dir3
FROM bid;`,
};
