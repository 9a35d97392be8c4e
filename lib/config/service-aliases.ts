/**
 * What people call an AWS service, mapped to the prefix its IAM actions use: `elb` and `alb` are
 * `elasticloadbalancing`, `cloudwatch-logs` is `logs`, `step-functions` is `states`. A name
 * that is neither a prefix nor an alias gets the closest prefix by spelling.
 */
import { closest } from "./closest";

/** Common names and abbreviations of services, by the IAM prefix they stand for. */
export const SERVICE_ALIASES: Readonly<Record<string, string>> = {
  elb: "elasticloadbalancing",
  alb: "elasticloadbalancing",
  nlb: "elasticloadbalancing",
  elbv2: "elasticloadbalancing",
  "load-balancer": "elasticloadbalancing",
  loadbalancer: "elasticloadbalancing",
  "cloudwatch-logs": "logs",
  cloudwatchlogs: "logs",
  cwl: "logs",
  "step-functions": "states",
  stepfunctions: "states",
  sfn: "states",
  eventbridge: "events",
  "cloudwatch-events": "events",
  "api-gateway": "apigateway",
  apigw: "apigateway",
  "secrets-manager": "secretsmanager",
  secrets: "secretsmanager",
  "parameter-store": "ssm",
  parameterstore: "ssm",
  "systems-manager": "ssm",
  cognito: "cognito-idp",
  "cloud-map": "servicediscovery",
  cloudmap: "servicediscovery",
  opensearch: "es",
  elasticsearch: "es",
  msk: "kafka",
  "kinesis-firehose": "firehose",
  efs: "elasticfilesystem",
  emr: "elasticmapreduce",
  ebs: "ec2",
  vpc: "ec2",
  asg: "autoscaling",
  "auto-scaling": "autoscaling",
  aurora: "rds",
  docdb: "rds",
  documentdb: "rds",
  neptune: "rds",
  cfn: "cloudformation",
  "cloud-formation": "cloudformation",
  "cloud-front": "cloudfront",
  r53: "route53",
  "route-53": "route53",
  "certificate-manager": "acm",
  dynamo: "dynamodb",
  "dynamo-db": "dynamodb",
  redis: "elasticache",
  memcached: "elasticache",
  "cloud-trail": "cloudtrail",
  "elastic-beanstalk": "elasticbeanstalk",
  beanstalk: "elasticbeanstalk",
  waf: "wafv2",
  mwaa: "airflow",
  "amazon-mq": "mq",
  sesv2: "ses",
  monitoring: "cloudwatch",
  metrics: "cloudwatch",
};

/**
 * The service prefix to suggest for `name`, which the catalog does not know: the prefix its
 * alias stands for when `name` is a known alias (in any case, with `_` or spaces for `-`, and
 * with an `aws-` or `amazon-` prefix dropped), else the closest catalog prefix by spelling.
 */
export function suggestService(name: string, catalog: readonly string[]): string | undefined {
  const key = name
    .toLowerCase()
    .replace(/[\s_]+/g, "-")
    .replace(/^(?:aws|amazon)-?/, "");
  const alias = SERVICE_ALIASES[key] ?? SERVICE_ALIASES[key.replace(/-/g, "")];
  if (alias !== undefined && catalog.includes(alias)) return alias;
  if (catalog.includes(key)) return key;
  return closest(name, catalog);
}
